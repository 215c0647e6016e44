"""`K2Mock`: the k2mock binary as a child process on a free port, and its admin API as methods."""
from __future__ import annotations

import collections
import dataclasses
import json
import os
import shutil
import subprocess
import threading
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import Any, Deque, Dict, List, Mapping, Optional, Sequence, Union

_LISTENING = "k2mock listening on "


class K2MockError(Exception):
    """k2mock could not be found or started, or its admin API answered an error."""


class K2MockAdminTokenError(K2MockError):
    """The admin API refused the admin token (missing or wrong): HTTP 401."""


@dataclass(frozen=True)
class Response:
    """An HTTP answer: status, headers (names lowercased) and the body's bytes."""
    status: int
    headers: Dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def location(self) -> Optional[str]:
        return self.headers.get("location")


@dataclass(frozen=True)
class Attempt:
    """One attempt at a delivery. `at` is when it was sent and `due` when it was due (sandbox time)."""
    attempt: int
    at: str
    due: str
    redelivery: bool
    status: Optional[int]
    error: Optional[str]
    latency_ms: float
    outcome: str


@dataclass(frozen=True)
class Delivery:
    """A callback (`kind` "callback", about `resource`/`resource_id`) or webhook event
    (`kind` "webhook", `topic`/`event_id`) from the journal, with every attempt."""
    id: int
    kind: str
    url: str
    outcome: str
    created_at: str
    signature: str
    body: str
    attempts: List[Attempt]
    resource: Optional[str] = None
    resource_id: Optional[str] = None
    topic: Optional[str] = None
    event_id: Optional[str] = None

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass(frozen=True)
class RecordedRequest:
    """A K2 API request from the journal (`at` in sandbox time)."""
    at: str
    method: str
    path: str
    status: int


@dataclass(frozen=True)
class Resource:
    """A stored resource: `stage` and `created_at` are None for fixtures; `timeline` lists its
    steps as `{"stage", "at", "reached"}` (when reached, or due); `body` is what `GET path` answers."""
    kind: str
    id: str
    stage: Optional[str]
    created_at: Optional[str]
    path: str
    body: Any
    timeline: List[Dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class ExpectationResult:
    description: str
    expected: int
    actual: int
    passed: bool


@dataclass(frozen=True)
class Verification:
    """The scenario's expectations: `passed` when every one holds."""
    passed: bool
    results: List[ExpectationResult] = field(default_factory=list)

    @property
    def failures(self) -> List[ExpectationResult]:
        return [result for result in self.results if not result.passed]


def _build(cls: Any, entry: Mapping[str, Any]) -> Any:
    """A dataclass from a JSON object, ignoring keys a newer k2mock may add."""
    names = {f.name for f in dataclasses.fields(cls)}
    return cls(**{key: value for key, value in entry.items() if key in names})


def _delivery(entry: Mapping[str, Any]) -> "Delivery":
    return _build(Delivery, {**entry, "attempts": [_build(Attempt, a) for a in entry["attempts"]]})


def find_binary(binary: Optional[str] = None) -> str:
    """The k2mock executable: `binary`, else `$K2MOCK_BIN`, else `k2mock` on `PATH`."""
    candidate = binary or os.environ.get("K2MOCK_BIN") or shutil.which("k2mock")
    if not candidate:
        raise K2MockError("k2mock not found: put it on PATH or set K2MOCK_BIN to its path")
    if not (os.path.isfile(candidate) and os.access(candidate, os.X_OK)):
        raise K2MockError("k2mock not found at %s (from %s)" % (candidate, "the argument" if binary else
                          "K2MOCK_BIN" if os.environ.get("K2MOCK_BIN") else "PATH"))
    return candidate


class K2Mock:
    """`k2mock serve` on `127.0.0.1` and a free port, with a scenario.

    `scenario` is a scenario file's path (None: the built-in default). `clock` ("manual" or
    "real"), `time_scale`, `seed` and `admin_token` are `serve`'s options of the same names;
    `args` are more. Starts at once; stop with `stop()` or use it as a context manager.
    Raises `K2MockError` when the binary is missing or exits (an invalid scenario: its message
    names file, line and key), or when it does not listen within `start_timeout` seconds.
    """

    def __init__(self, scenario: Optional[Union[str, os.PathLike]] = None, *, binary: Optional[str] = None,
                 clock: Optional[str] = None, time_scale: Optional[float] = None, seed: Optional[int] = None,
                 admin_token: Optional[str] = None, args: Sequence[str] = (), start_timeout: float = 10.0) -> None:
        self.scenario = os.fspath(scenario) if scenario is not None else None
        self.admin_token = admin_token
        command = [find_binary(binary), "serve", "--host", "127.0.0.1", "--port", "0"]
        if self.scenario is not None:
            command += ["--scenario", self.scenario]
        if clock is not None:
            command += ["--clock", clock]
        if time_scale is not None:
            command += ["--time-scale", str(time_scale)]
        if seed is not None:
            command += ["--seed", str(seed)]
        if admin_token is not None:
            command += ["--admin-token", admin_token]
        command += list(args)
        self.log: Deque[str] = collections.deque(maxlen=1000)
        self._process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                         stderr=subprocess.PIPE, text=True)
        self._stderr = threading.Thread(target=self._drain, args=(self._process.stderr,), daemon=True)
        self._stderr.start()
        self.origin = self._wait_for_listening(start_timeout)
        threading.Thread(target=self._drain, args=(self._process.stdout,), daemon=True).start()

    def _drain(self, stream: Any) -> None:
        for line in stream:
            self.log.append(line.rstrip("\n"))

    def _wait_for_listening(self, timeout: float) -> str:
        found: List[str] = []
        reader = threading.Thread(target=lambda: found.append(self._process.stdout.readline()), daemon=True)
        reader.start()
        reader.join(timeout)
        line = found[0].strip() if found else ""
        if line.startswith(_LISTENING):
            return line[len(_LISTENING):]
        if self._process.poll() is None:
            self._process.kill()
        code = self._process.wait()
        self._stderr.join(1.0)  # its last lines say why
        detail = "\n".join(self.log) or line
        if not found:
            raise K2MockError("k2mock did not listen within %s s:\n%s" % (timeout, detail))
        raise K2MockError("k2mock exited with status %s:\n%s" % (code, detail))

    # Lifecycle

    @property
    def port(self) -> int:
        return int(self.origin.rsplit(":", 1)[1])

    @property
    def base_url(self) -> str:
        """The base URL in the Python SDK's form (`k2connect.initialize` wants a trailing `/`)."""
        return self.origin + "/"

    @property
    def base_urls(self) -> Dict[str, str]:
        """The base URL as each official SDK takes it: Python and Ruby with a trailing `/`, Node
        and PHP without (k2-api.md §1)."""
        return {"python": self.origin + "/", "ruby": self.origin + "/", "node": self.origin, "php": self.origin}

    @property
    def running(self) -> bool:
        return self._process.poll() is None

    def stop(self, timeout: float = 10.0) -> int:
        """SIGTERM, then waits for it to exit (callbacks under way get 1 s); returns the exit status."""
        if self._process.poll() is None:
            self._process.terminate()
            try:
                return self._process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self._process.kill()
        return self._process.wait()

    def __enter__(self) -> "K2Mock":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    # HTTP

    def request(self, method: str, path: str, body: Any = None, *, token: Optional[str] = None,
                headers: Optional[Mapping[str, str]] = None, timeout: float = 60.0) -> Response:
        """Sends a request to k2mock. `body`: bytes as they are, anything else as JSON. `token`
        is sent as `Authorization: Bearer`. Answers with any status, never raises for one."""
        data = body if isinstance(body, (bytes, type(None))) else json.dumps(body).encode()
        sent = {"Content-Type": "application/json", "Accept": "application/json"}
        if token is not None:
            sent["Authorization"] = "Bearer " + token
        sent.update(headers or {})
        request = urllib.request.Request(self.origin + path, data=data, method=method, headers=sent)
        try:
            with urllib.request.urlopen(request, timeout=timeout) as answer:
                return Response(answer.status, {k.lower(): v for k, v in answer.headers.items()}, answer.read())
        except urllib.error.HTTPError as error:
            return Response(error.code, {k.lower(): v for k, v in error.headers.items()}, error.read())

    def _admin(self, method: str, path: str, body: Any = None) -> Any:
        headers = {"Authorization": "Bearer " + self.admin_token} if self.admin_token else {}
        answer = self.request(method, "/__admin" + path, body, headers=headers)
        if answer.status == 401:
            raise K2MockAdminTokenError("the admin API refused the admin token (%s): %s" % (
                "none was given" if not self.admin_token else "wrong token", answer.body.decode(errors="replace")))
        if answer.status != 200:
            raise K2MockError("%s /__admin%s answered %d: %s" % (method, path, answer.status,
                                                                 answer.body.decode(errors="replace")))
        return answer.json()

    # The admin API

    def health(self) -> Dict[str, Any]:
        return self._admin("GET", "/health")

    def clock(self) -> Dict[str, Any]:
        """`{"now", "mode", "scale"}`: sandbox time now."""
        return self._admin("GET", "/clock")

    def advance(self, seconds: float) -> Dict[str, Any]:
        """Moves sandbox time forward `seconds` and runs everything that falls due, callbacks
        included; answers when they are done: `{"now", "mode", "scale", "ran": [...]}`."""
        return self._admin("POST", "/clock/advance", {"seconds": seconds})

    def reset(self) -> Dict[str, Any]:
        """Back to the scenario's initial state (clock, fixtures; created resources, issued
        tokens and journals cleared)."""
        return self._admin("POST", "/reset")

    def callbacks(self) -> List[Delivery]:
        """Every callback and webhook delivery, oldest first, with its attempts."""
        return [_delivery(entry) for entry in self._admin("GET", "/callbacks")]

    def redeliver(self, delivery_id: int) -> Delivery:
        return _delivery(self._admin("POST", "/callbacks/%d/redeliver" % delivery_id))

    def requests(self) -> List[RecordedRequest]:
        """The K2 API requests answered (not `/__admin`), oldest first."""
        return [_build(RecordedRequest, entry) for entry in self._admin("GET", "/requests")]

    def resources(self) -> List[Resource]:
        """Every resource: fixtures first, then created ones, oldest first."""
        return [_build(Resource, entry) for entry in self._admin("GET", "/resources")]

    def fire_event(self, topic: str, resource: Optional[Mapping[str, Any]] = None, *, delay: Optional[str] = None,
                   duplicates: Optional[int] = None, bad_signature: bool = False) -> Dict[str, Any]:
        """Fires the webhook event `topic` now, to every subscription for it. `resource` sets
        fields on the topic's default resource; `delay` ("30s"), `duplicates` and
        `bad_signature` make its delivery misbehave on purpose."""
        body: Dict[str, Any] = {"topic": topic}
        if resource is not None:
            body["resource"] = dict(resource)
        if delay is not None:
            body["delay"] = delay
        if duplicates is not None:
            body["duplicates"] = duplicates
        if bad_signature:
            body["bad_signature"] = True
        return self._admin("POST", "/events", body)

    def verify(self) -> Verification:
        """The scenario's `expect` entries against what happened so far."""
        answer = self._admin("GET", "/expectations")
        return Verification(answer["passed"], [_build(ExpectationResult, r) for r in answer["results"]])

    def assert_expectations(self) -> None:
        """Raises AssertionError naming every expectation that does not hold."""
        failures = self.verify().failures
        if failures:
            raise AssertionError("k2mock expectations failed:\n" + "\n".join("  " + f.description for f in failures))
