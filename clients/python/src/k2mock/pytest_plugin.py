"""pytest fixtures for k2mock (registered through the `pytest11` entry point).

- `k2mock`: a running `K2Mock`. Options come from the closest `@pytest.mark.k2mock(...)`
  marker (`scenario`, `clock`, `time_scale`, `seed`, `admin_token`, `args`, `api_key`, `scope`),
  else the ini options / command-line flags below. With `scope="session"` one server per
  distinct set of options serves every test that asks for it, reset before each test.
- `k2mock_sandbox`: a `Sandbox` of the test's own on one shared server (`k2mock_server`),
  deleted after the test. The marker's `scenario` (else `k2mock_scenario`), `scenario_yaml`,
  `seed`, `clock`, `time_scale` and `ttl` make it. Named after the test id only (sanitized to
  k2mock's `[A-Za-z0-9_-]{1,64}`; `-2`, `-3`, ... appended if the name is taken), never the
  xdist worker: a transcript holds the name, so a snapshot made serially matches one made
  under `-n 4`, and no two workers run the same test at once.
- `k2mock_server` (session): the shared server. `--k2mock-url` / `$K2MOCK_URL` (with
  `--k2mock-admin-token` / `$K2MOCK_ADMIN_TOKEN`): a k2mock that runs already (a service
  container). Else one started for the run: under pytest-xdist the controller starts it and
  every worker uses it; without xdist, at the first test that needs it.
- `k2mock_receiver`: a `CallbackReceiver` that checks signatures with the sandbox's API key when
  the test uses `k2mock_sandbox`, else the marker's `api_key` (else `k2mock_api_key`, else the
  default scenario's `sandbox_api_key`). `--k2mock-callback-host` / `$K2MOCK_CALLBACK_HOST`:
  the name k2mock reaches this machine by (k2mock in a container), for the receiver's URLs.

Snapshots: `k2mock.assert_transcript(path)` and `k2mock_sandbox.assert_transcript(path)` (any
`K2Mock` or `Sandbox`) resolve a relative `path` against the directory of the running test's
file; `--k2mock-update-snapshots` (or K2MOCK_UPDATE_SNAPSHOTS=1) rewrites the files.

Why requests were refused: when a test that used `k2mock_sandbox` or `k2mock` fails, its
report gets a section `k2mock: why requests were refused`, a line `#ID METHOD PATH → STATUS:
<summary>` (k2mock's `explain(request=ID)`) for each K2 request of the test's answered 4xx/5xx:
every one of its sandbox's, or the server's from the test's start on. None refused: no section.
Passing tests get nothing; an explanation that cannot be read says so (and why) in its line.

ini / flags: `k2mock_scenario` / `--k2mock-scenario`, `k2mock_scope` / `--k2mock-scope`
(`function` or `session`), `k2mock_api_key`, `k2mock_bin` / `--k2mock-bin` (else `$K2MOCK_BIN`,
else `PATH`). A relative scenario path resolves against pytest's rootdir; a sandbox's scenario
is read by the server, so against a server in a container give its path there.
"""
from __future__ import annotations

import hashlib
import os
import re
import shlex
from typing import Any, Dict, Iterator, List, Optional, Tuple, Union

import pytest

from .receiver import CallbackReceiver
from .server import (UPDATE_SNAPSHOTS_VARIABLE, K2Mock, K2MockConflictError, K2MockError, RecordedRequest, Sandbox,
                     _Snapshots)

DEFAULT_API_KEY = "sandbox_api_key"
_SERVER_OPTIONS = ("scenario", "clock", "time_scale", "seed", "admin_token", "args")
_SANDBOX_OPTIONS = ("scenario", "scenario_yaml", "seed", "clock", "time_scale", "ttl")
_SANDBOX_ONLY = ("scenario_yaml", "ttl")
_NAME_ROOM = 61  # of k2mock's 64: room for "-NN" when a name is taken
REFUSALS_SECTION = "k2mock: why requests were refused"
_MOST_EXPLAINED = 20  # refused requests explained in one report; the rest are counted


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("k2mock")
    group.addoption("--k2mock-scenario", help="scenario file for the k2mock fixture (default: the built-in one)")
    group.addoption("--k2mock-scope", choices=("function", "session"), help="one k2mock per test or per session")
    group.addoption("--k2mock-bin", help="the k2mock binary (default: $K2MOCK_BIN, else PATH)")
    group.addoption("--k2mock-url", help="a running k2mock (http://HOST:PORT) for k2mock_sandbox's sandboxes "
                                         "(default: $K2MOCK_URL, else one is started for the run)")
    group.addoption("--k2mock-admin-token", help="that k2mock's admin token (default: $K2MOCK_ADMIN_TOKEN)")
    group.addoption("--k2mock-update-snapshots", action="store_true", default=False,
                    help="assert_transcript writes this run's transcripts over its snapshot files "
                         "(as %s=1 does)" % UPDATE_SNAPSHOTS_VARIABLE)
    group.addoption("--k2mock-callback-host", help="the name k2mock reaches this machine by, for k2mock_receiver's "
                                                   "URLs (default: $K2MOCK_CALLBACK_HOST, else 127.0.0.1)")
    parser.addini("k2mock_scenario", "scenario file for the k2mock fixture")
    parser.addini("k2mock_scope", "function (a k2mock per test) or session (one, reset before each test)")
    parser.addini("k2mock_api_key", "API key the k2mock_receiver fixture verifies signatures with")
    parser.addini("k2mock_bin", "the k2mock binary")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "k2mock(scenario=None, clock=None, time_scale=None, seed=None, admin_token=None, args=(), "
                   "api_key=None, scope=None, scenario_yaml=None, ttl=None): how the k2mock fixture starts k2mock, "
                   "or how k2mock_sandbox makes its sandbox, for this test")
    if not hasattr(config, "workerinput") and not _url(config):
        config.pluginmanager.register(_SharedServer(config), "k2mock-shared-server")
    if config.getoption("--k2mock-update-snapshots", default=False):
        _Snapshots.update = True


def pytest_unconfigure(config: pytest.Config) -> None:
    if config.getoption("--k2mock-update-snapshots", default=False):
        _Snapshots.update = False


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: Optional[pytest.Item]) -> Iterator[None]:
    """While a test runs (set-up, call, tear-down), relative snapshot paths resolve against the
    directory of its file."""
    path = getattr(item, "path", None) or getattr(item, "fspath", None)
    before = _Snapshots.test_dir
    _Snapshots.test_dir = os.path.dirname(os.path.abspath(str(path))) if path is not None else None
    try:
        yield
    finally:
        _Snapshots.test_dir = before


# Why requests were refused, in a failed test's report

_WATCHED = "_k2mock_watched"  # on the item: [(the K2Mock or Sandbox, the last request id before the test)]
_EXPLAINED = "_k2mock_explained"  # on the item: its section was written (once per test)


def _watch(item: pytest.Item, api: Union[K2Mock, Sandbox], after: int = 0) -> None:
    """The test `item` uses `api`: should it fail, its requests numbered above `after` that
    were refused are explained in its report."""
    item.__dict__.setdefault(_WATCHED, []).append((api, after))


def _last_request_id(api: Union[K2Mock, Sandbox]) -> int:
    try:
        return max((entry.id or 0 for entry in api.requests()), default=0)
    except K2MockError:
        return 0


def _label(api: Union[K2Mock, Sandbox]) -> str:
    return "sandbox %s" % api.name if isinstance(api, Sandbox) else "k2mock at %s" % api.origin


def _gone(api: Union[K2Mock, Sandbox]) -> bool:
    """Deleted or stopped (a failure in tear-down, after the fixture's own): nothing to ask."""
    if isinstance(api, Sandbox):
        return api.deleted
    return not api.connected and not api.running


def _reason(error: BaseException) -> str:
    return "%s: %s" % (type(error).__name__, error) if str(error) else type(error).__name__


def _explain_refusals(api: Union[K2Mock, Sandbox], after: int) -> List[str]:
    """A line for each request of `api` numbered above `after` answered 4xx/5xx. Never raises:
    what cannot be read is said in a line."""
    try:
        refused: List[RecordedRequest] = [entry for entry in api.requests()
                                          if entry.status >= 400 and (entry.id is None or entry.id > after)]
    except Exception as error:  # anything: the report must be written
        return ["the explanation could not be read: %s's requests: %s" % (_label(api), _reason(error))]
    lines = []
    for entry in refused[:_MOST_EXPLAINED]:
        try:
            if entry.id is None:
                raise K2MockError("this k2mock does not number its requests (too old to explain them)")
            summary = api.explain(request=entry.id).get("summary") or "(k2mock gives no summary)"
        except Exception as error:
            summary = "the explanation could not be read: %s" % _reason(error)
        lines.append("#%s %s %s → %s: %s" % ("?" if entry.id is None else entry.id, entry.method, entry.path,
                                             entry.status, summary))
    if len(refused) > _MOST_EXPLAINED:
        lines.append("... and %d more refused (requests(), then explain(request=ID))"
                     % (len(refused) - _MOST_EXPLAINED))
    return lines


def refusals_report(watched: List[Tuple[Union[K2Mock, Sandbox], int]]) -> str:
    """The section's text for a test that used `watched`: "" when none refused a request."""
    lines: List[str] = []
    present = [(api, after) for api, after in watched if not _gone(api)]
    for api, after in present:
        block = _explain_refusals(api, after)
        if block and len(present) > 1:
            lines.append(_label(api) + ":")
        lines.extend(block)
    return "\n".join(lines)


@pytest.hookimpl(hookwrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Iterator[None]:
    """A failed test that used k2mock gets the section `k2mock: why requests were refused` in
    its report (the first failed phase's: set-up, call or tear-down), when it has any to show.
    Outermost (tryfirst), so it sees the report as the other plugins leave it (an xfail is
    not failed)."""
    outcome = yield
    report = outcome.get_result()
    if not report.failed or item.__dict__.get(_EXPLAINED) or not item.__dict__.get(_WATCHED):
        return
    item.__dict__[_EXPLAINED] = True
    try:
        text = refusals_report(item.__dict__[_WATCHED])
    except Exception as error:  # the failure itself must still be reported
        text = "the explanation could not be read: %s" % _reason(error)
    if text:
        report.sections.append((REFUSALS_SECTION, text))


def _setting(config: pytest.Config, name: str) -> Any:
    return config.getoption("--" + name.replace("_", "-"), default=None) or config.getini(name) or None


def _from_env(config: pytest.Config, name: str) -> Optional[str]:
    """A flag (`--k2mock-url`), else its environment variable (`K2MOCK_URL`)."""
    return config.getoption("--" + name.replace("_", "-"), default=None) or os.environ.get(name.upper()) or None


def _url(config: pytest.Config) -> Optional[str]:
    return _from_env(config, "k2mock_url")


def _marker(request: pytest.FixtureRequest) -> Dict[str, Any]:
    marker = request.node.get_closest_marker("k2mock")
    options: Dict[str, Any] = dict(marker.kwargs) if marker else {}
    if marker and marker.args:
        options.setdefault("scenario", marker.args[0])
    unknown = set(options) - set(_SERVER_OPTIONS) - set(_SANDBOX_OPTIONS) - {"api_key", "scope"}
    if unknown:
        raise pytest.UsageError("@pytest.mark.k2mock has no option %s" % ", ".join(sorted(unknown)))
    return options


def _scenario_path(config: pytest.Config, scenario: Any) -> Any:
    if scenario is not None and not os.path.isabs(str(scenario)):
        return os.path.join(str(config.rootpath), str(scenario))
    return scenario


def _options(request: pytest.FixtureRequest) -> Dict[str, Any]:
    options = _marker(request)
    config = request.config
    misplaced = sorted(set(options) & set(_SANDBOX_ONLY))
    if misplaced:
        raise pytest.UsageError("@pytest.mark.k2mock: %s make a sandbox: use the k2mock_sandbox fixture"
                                % ", ".join(misplaced))
    options.setdefault("scenario", _setting(config, "k2mock_scenario"))
    options.setdefault("scope", _setting(config, "k2mock_scope") or "function")
    options["scenario"] = _scenario_path(config, options["scenario"])
    if options["scope"] not in ("function", "session"):
        raise pytest.UsageError("k2mock scope must be 'function' or 'session', not %r" % options["scope"])
    return options


def _sandbox_options(request: pytest.FixtureRequest) -> Dict[str, Any]:
    options = _marker(request)
    misplaced = sorted(key for key in ("args", "admin_token") if key in options)
    if misplaced:
        raise pytest.UsageError("@pytest.mark.k2mock: %s start a server, and k2mock_sandbox's server is shared "
                                "(--k2mock-url, --k2mock-admin-token)" % ", ".join(misplaced))
    if "scenario_yaml" not in options:
        options.setdefault("scenario", _setting(request.config, "k2mock_scenario"))
    options["scenario"] = _scenario_path(request.config, options.get("scenario"))
    return {key: options[key] for key in _SANDBOX_OPTIONS if options.get(key) is not None}


def sandbox_name(nodeid: str) -> str:
    """A sandbox name for the test `nodeid`, from it alone (no xdist worker, process id or
    random part, so the same in every run, serial or parallel): the id with every run of
    characters other than `[A-Za-z0-9_-]` made one `_`; a long one keeps the id's end (the
    test's name) and gains a hash of the whole id, to stay within 61 characters."""
    body = re.sub(r"[^A-Za-z0-9_-]+", "_", nodeid).strip("_-") or "test"
    if len(body) > _NAME_ROOM:
        digest = hashlib.sha1(nodeid.encode()).hexdigest()[:8]
        body = body[len(body) - (_NAME_ROOM - len(digest) - 1):].lstrip("_-") + "-" + digest
    return body


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


class _SharedServer:
    """Under pytest-xdist, without `--k2mock-url`: the controller starts one k2mock (the
    built-in scenario) as it sets up the first worker, hands its URL to every worker, and stops
    it at the end of the run. A start that fails is reported by `k2mock_server`, in the tests
    that use it."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.server: Optional[K2Mock] = None
        self.error: Optional[str] = None

    @pytest.hookimpl(optionalhook=True)
    def pytest_configure_node(self, node: Any) -> None:
        if self.server is None and self.error is None:
            try:
                self.server = _start(self.config, {})
            except K2MockError as error:
                self.error = str(error)
        node.workerinput["k2mock_url"] = self.server.origin if self.server else None
        node.workerinput["k2mock_error"] = self.error

    def pytest_unconfigure(self, config: pytest.Config) -> None:
        if self.server is not None:
            self.server.stop()


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
        shared = _k2mock_session_servers.get(options)
        _watch(request.node, shared, _last_request_id(shared))
        yield shared
        return
    server = _start(request.config, options)
    _watch(request.node, server)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def k2mock_server(pytestconfig: pytest.Config, _k2mock_session_servers: _SessionServers) -> K2Mock:
    """The k2mock that `k2mock_sandbox` makes sandboxes on: `--k2mock-url` / `$K2MOCK_URL`, else
    the one the xdist controller started, else one started now for the session."""
    url = _url(pytestconfig)
    if url:
        return K2Mock.connect(url, admin_token=_from_env(pytestconfig, "k2mock_admin_token"))
    shared = getattr(pytestconfig, "workerinput", {})
    if shared.get("k2mock_error"):
        raise K2MockError(shared["k2mock_error"])
    if shared.get("k2mock_url"):
        return K2Mock.connect(shared["k2mock_url"])
    return _k2mock_session_servers.get({})


@pytest.fixture
def k2mock_sandbox(request: pytest.FixtureRequest, k2mock_server: K2Mock) -> Iterator[Sandbox]:
    """A sandbox of this test's own on the shared server, deleted after it."""
    options = _sandbox_options(request)
    name = sandbox_name(request.node.nodeid)
    for attempt in range(1, 21):
        try:
            sandbox = k2mock_server.sandbox(name=name if attempt == 1 else "%s-%d" % (name, attempt), **options)
            break
        except K2MockConflictError:  # a run that did not clean up, or another run on the same server
            if attempt == 20:
                raise
    _watch(request.node, sandbox)
    with sandbox:
        yield sandbox


@pytest.fixture
def k2mock_receiver(request: pytest.FixtureRequest) -> Iterator[CallbackReceiver]:
    """A callback receiver for this test that verifies each POST's signature."""
    if "k2mock_sandbox" in request.fixturenames:
        api_key = request.getfixturevalue("k2mock_sandbox").api_key
    else:
        marker = request.node.get_closest_marker("k2mock")
        api_key = ((marker.kwargs.get("api_key") if marker else None) or request.config.getini("k2mock_api_key")
                   or DEFAULT_API_KEY)
    receiver = CallbackReceiver(api_key=api_key, host=_from_env(request.config, "k2mock_callback_host"))
    try:
        yield receiver
    finally:
        receiver.stop()
