"""pytest fixtures for k2mock (registered through the `pytest11` entry point).

- `k2mock`: a running `K2Mock`. Options come from the closest `@pytest.mark.k2mock(...)`
  marker (`scenario`, `clock`, `time_scale`, `seed`, `admin_token`, `args`, `api_key`, `scope`),
  else the ini options / command-line flags below. With `scope="session"` one server per
  distinct set of options serves every test that asks for it, reset before each test.
- `k2mock_receiver`: a `CallbackReceiver` that checks signatures with the marker's `api_key`
  (else `k2mock_api_key`, else the default scenario's `sandbox_api_key`).

ini / flags: `k2mock_scenario` / `--k2mock-scenario`, `k2mock_scope` / `--k2mock-scope`
(`function` or `session`), `k2mock_api_key`, `k2mock_bin` / `--k2mock-bin` (else `$K2MOCK_BIN`,
else `PATH`). A relative scenario path resolves against pytest's rootdir.
"""
from __future__ import annotations

import os
import shlex
from typing import Any, Dict, Iterator, Tuple

import pytest

from .receiver import CallbackReceiver
from .server import K2Mock

DEFAULT_API_KEY = "sandbox_api_key"
_SERVER_OPTIONS = ("scenario", "clock", "time_scale", "seed", "admin_token", "args")


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("k2mock")
    group.addoption("--k2mock-scenario", help="scenario file for the k2mock fixture (default: the built-in one)")
    group.addoption("--k2mock-scope", choices=("function", "session"), help="one k2mock per test or per session")
    group.addoption("--k2mock-bin", help="the k2mock binary (default: $K2MOCK_BIN, else PATH)")
    parser.addini("k2mock_scenario", "scenario file for the k2mock fixture")
    parser.addini("k2mock_scope", "function (a k2mock per test) or session (one, reset before each test)")
    parser.addini("k2mock_api_key", "API key the k2mock_receiver fixture verifies signatures with")
    parser.addini("k2mock_bin", "the k2mock binary")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "k2mock(scenario=None, clock=None, time_scale=None, seed=None, admin_token=None, args=(), "
                   "api_key=None, scope=None): how the k2mock fixture starts k2mock for this test")


def _setting(config: pytest.Config, name: str) -> Any:
    return config.getoption("--" + name.replace("_", "-"), default=None) or config.getini(name) or None


def _options(request: pytest.FixtureRequest) -> Dict[str, Any]:
    marker = request.node.get_closest_marker("k2mock")
    options: Dict[str, Any] = dict(marker.kwargs) if marker else {}
    if marker and marker.args:
        options.setdefault("scenario", marker.args[0])
    config = request.config
    options.setdefault("scenario", _setting(config, "k2mock_scenario"))
    options.setdefault("scope", _setting(config, "k2mock_scope") or "function")
    if options["scenario"] is not None and not os.path.isabs(str(options["scenario"])):
        options["scenario"] = os.path.join(str(config.rootpath), str(options["scenario"]))
    unknown = set(options) - set(_SERVER_OPTIONS) - {"api_key", "scope"}
    if unknown:
        raise pytest.UsageError("@pytest.mark.k2mock has no option %s" % ", ".join(sorted(unknown)))
    if options["scope"] not in ("function", "session"):
        raise pytest.UsageError("k2mock scope must be 'function' or 'session', not %r" % options["scope"])
    return options


def _start(config: pytest.Config, options: Dict[str, Any]) -> K2Mock:
    server_options = {k: v for k, v in options.items() if k in _SERVER_OPTIONS and v is not None}
    args = server_options.get("args", ())
    # One string is a command line ("--seed 7"), not a sequence of one-letter arguments.
    server_options["args"] = tuple(shlex.split(args) if isinstance(args, str) else args)
    return K2Mock(binary=_setting(config, "k2mock_bin"), **server_options)


class _SessionServers:
    """Servers shared by the tests that ask for session scope, one per distinct set of options."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.servers: Dict[Tuple[Any, ...], K2Mock] = {}

    def get(self, options: Dict[str, Any]) -> K2Mock:
        key = tuple((name, repr(options.get(name))) for name in _SERVER_OPTIONS)
        server = self.servers.get(key)
        if server is None or not server.running:
            server = self.servers[key] = _start(self.config, options)
        else:
            server.reset()
        return server

    def stop(self) -> None:
        for server in self.servers.values():
            server.stop()


@pytest.fixture(scope="session")
def _k2mock_session_servers(pytestconfig: pytest.Config) -> Iterator[_SessionServers]:
    servers = _SessionServers(pytestconfig)
    yield servers
    servers.stop()


@pytest.fixture
def k2mock(request: pytest.FixtureRequest, _k2mock_session_servers: _SessionServers) -> Iterator[K2Mock]:
    """A running k2mock for this test (see the module's docstring for its options)."""
    options = _options(request)
    if options["scope"] == "session":
        yield _k2mock_session_servers.get(options)
        return
    server = _start(request.config, options)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def k2mock_receiver(request: pytest.FixtureRequest) -> Iterator[CallbackReceiver]:
    """A callback receiver for this test that verifies each POST's signature."""
    marker = request.node.get_closest_marker("k2mock")
    api_key = (marker.kwargs.get("api_key") if marker else None) or request.config.getini("k2mock_api_key") or DEFAULT_API_KEY
    receiver = CallbackReceiver(api_key=api_key)
    try:
        yield receiver
    finally:
        receiver.stop()
