"""`K2Mock`: the k2mock binary as a child process on a free port (or one that runs already), its
admin API as methods, and `Sandbox`: one of its isolated sandboxes."""
from __future__ import annotations

import collections
import dataclasses
import json
import os
import shutil
import subprocess
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from typing import Any, Deque, Dict, List, Mapping, Optional, Sequence, Union

_LISTENING = "k2mock listening on "


class K2MockError(Exception):
    """k2mock could not be found, started or reached, or its admin API answered an error."""


class K2MockAPIError(K2MockError):
    """The admin API answered an error: `status` (400, 404, 409, 429, ...) and `message`, K2's
    `error_message` (for an invalid scenario it names file:line:column and the key)."""

    def __init__(self, description: str, *, method: str, path: str, status: int, message: str) -> None:
        super().__init__(description)
        self.method = method
        self.path = path
        self.status = status
        self.message = message


class K2MockAdminTokenError(K2MockAPIError):
    """The admin API refused the admin token (missing or wrong): HTTP 401."""


class K2MockNotFoundError(K2MockAPIError):
    """HTTP 404: no such sandbox (never made, deleted, or ended by its ttl), no such delivery, or
    (`explain`) no such request or resource."""


class K2MockConflictError(K2MockAPIError):
    """HTTP 409: a sandbox with that name exists already (or a client id or token of its
    scenario belongs to another sandbox), or a snapshot of a sandbox that runs a real clock or
    has no seed (`assert_transcript`, `transcript(snapshot=True)`)."""


UPDATE_SNAPSHOTS_VARIABLE = "K2MOCK_UPDATE_SNAPSHOTS"
_ACCEPT = ("To accept this run's transcript as the snapshot, run the test again with %s=1 "
           "(or pytest --k2mock-update-snapshots)." % UPDATE_SNAPSHOTS_VARIABLE)


class K2MockTranscriptMismatch(AssertionError):
    """`assert_transcript()` failed: this run's transcript differs from the snapshot file `path`
    (absolute), `differences` listing each as k2mock's diff words it; or the file is not a
    transcript k2mock reads (`unreadable`: k2mock's reason, such as `expected:3: not YAML: ...`,
    and no differences). An `AssertionError`, so test runners report a failed assertion; the
    message names the file and says how to accept this run's transcript."""

    def __init__(self, message: str, *, path: str, differences: Sequence[str] = (),
                 unreadable: Optional[str] = None) -> None:
        super().__init__(message)
        self.path = path
        self.differences = list(differences)
        self.unreadable = unreadable


class _Snapshots:
    """Set by the pytest plugin: `update` by `--k2mock-update-snapshots`, `test_dir` (the
    directory of the running test's file) while a test runs."""
    update = False
    test_dir: Optional[str] = None


def _updating_snapshots() -> bool:
    """`--k2mock-update-snapshots`, or K2MOCK_UPDATE_SNAPSHOTS set to anything but empty, 0,
    false, no or off."""
    value = os.environ.get(UPDATE_SNAPSHOTS_VARIABLE, "").strip().lower()
    return _Snapshots.update or value not in ("", "0", "false", "no", "off")


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
    """A K2 API request from the journal (`at` in sandbox time). `id` numbers it within its
    sandbox, from 1 (a reset starts again), for `explain(request=id)`; None from a k2mock too
    old to number them."""
    at: str
    method: str
    path: str
    status: int
    id: Optional[int] = None


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


@dataclass(frozen=True)
class TranscriptDiff:
    """k2mock's comparison of two transcripts: `equal`, and each difference in its words
    (`entry 2, POST /api/v2/incoming_payments: request_body.amount.value: 1500 → 2500`)."""
    equal: bool
    differences: List[str] = field(default_factory=list)


def _build(cls: Any, entry: Mapping[str, Any]) -> Any:
    """A dataclass from a JSON object, ignoring keys a newer k2mock may add."""
    names = {f.name for f in dataclasses.fields(cls)}
    return cls(**{key: value for key, value in entry.items() if key in names})


def _delivery(entry: Mapping[str, Any]) -> "Delivery":
    return _build(Delivery, {**entry, "attempts": [_build(Attempt, a) for a in entry["attempts"]]})


_WHERE_TO_GET_IT = ("put it on PATH or set K2MOCK_BIN to its path (the release tarball, "
                    "k2mock-VERSION-linux-ARCH.tar.gz from `make dist`, has it in bin/)")


def find_binary(binary: Optional[str] = None) -> str:
    """The k2mock executable: `binary`, else `$K2MOCK_BIN`, else `k2mock` on `PATH`."""
    candidate = binary or os.environ.get("K2MOCK_BIN") or shutil.which("k2mock")
    if not candidate:
        raise K2MockError("k2mock not found: " + _WHERE_TO_GET_IT)
    if not (os.path.isfile(candidate) and os.access(candidate, os.X_OK)):
        raise K2MockError("k2mock not found at %s (from %s): %s" % (candidate, "the argument" if binary else
                          "K2MOCK_BIN" if os.environ.get("K2MOCK_BIN") else "PATH", _WHERE_TO_GET_IT))
    return candidate


_ERRORS = {401: K2MockAdminTokenError, 404: K2MockNotFoundError, 409: K2MockConflictError}


class _AdminAPI:
    """The admin API of one sandbox: the server's own (`K2Mock`, under `/__admin`) or one made
    beside it (`Sandbox`, under `/__admin/sandboxes/{id}`)."""

    origin: str
    admin_token: Optional[str]
    _admin_root = "/__admin"
    snapshot_dir: Optional[str] = None
    """Where `assert_transcript` resolves a relative path. None: under pytest (k2mock's plugin),
    the directory of the running test's file; else the current directory."""

    @property
    def port(self) -> int:
        parts = urllib.parse.urlsplit(self.origin)
        return parts.port or (443 if parts.scheme == "https" else 80)

    @property
    def base_url(self) -> str:
        """The base URL in the Python SDK's form (`k2connect.initialize` wants a trailing `/`)."""
        return self.origin + "/"

    @property
    def base_urls(self) -> Dict[str, str]:
        """The base URL as each official SDK takes it: Python and Ruby with a trailing `/`, Node
        and PHP without (k2-api.md §1)."""
        return {"python": self.origin + "/", "ruby": self.origin + "/", "node": self.origin, "php": self.origin}

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

    def _admin(self, method: str, path: str, body: Any = None, *, expect: int = 200, raw: bool = False) -> Any:
        """An admin call under this sandbox's root (`/__admin` or `/__admin/sandboxes/{id}`):
        the answer's JSON (`raw`: its bytes), or a `K2MockAPIError` for any other status."""
        return self._admin_call(method, self._admin_root + path, body, expect=expect, raw=raw)

    def _admin_call(self, method: str, path: str, body: Any = None, *, expect: int = 200, raw: bool = False) -> Any:
        headers = {"Authorization": "Bearer " + self.admin_token} if self.admin_token else {}
        try:
            answer = self.request(method, path, body, headers=headers)
        except OSError as error:  # refused, unknown host, timed out (urllib's URLError is one)
            raise K2MockError("k2mock at %s does not answer (%s %s): %s" % (
                self.origin, method, path, getattr(error, "reason", None) or error)) from None
        if answer.status == expect:
            return answer.body if raw else answer.json()
        text = answer.body.decode(errors="replace")
        try:
            message = json.loads(text)["error_message"]
        except (ValueError, TypeError, KeyError):
            message = text
        if answer.status == 401:
            description = "the admin API refused the admin token (%s): %s" % (
                "none was given" if not self.admin_token else "wrong token", text)
        else:
            description = "%s %s answered %d: %s" % (method, path, answer.status, message)
        raise _ERRORS.get(answer.status, K2MockAPIError)(description, method=method, path=path,
                                                          status=answer.status, message=message)

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

    def explain(self, request: Union[int, RecordedRequest, None] = None,
                resource: Union[str, Resource, None] = None) -> Dict[str, Any]:
        """Why k2mock answered as it did, in its words (`GET /__admin/explain`). Give exactly one:
        `request`, a request's `id` (or a `RecordedRequest` from `requests()`): answers
        `{"request", "summary", "k2_message", "details", "ignored_keys"}`, `summary` naming what
        was wrong with a refused one ("subscriber is required: the body has `customer` where K2
        reads `subscriber`: ..."); or `resource`, a resource's id (or a `Resource`): answers
        `{"resource", "summary", "timeline", "callback"}`, where it is in its timeline and why,
        and its callback's state (`timeline` and `callback` are None for a fixture). Raises
        `ValueError` unless exactly one is given, and `K2MockNotFoundError` (k2mock's message)
        when this sandbox has no such request (or no longer keeps it) or resource."""
        if (request is None) == (resource is None):
            raise ValueError("explain() takes exactly one of request= (a request's id, from requests()) "
                             "or resource= (a resource's id), not %s" % ("both" if request is not None else "neither"))
        if request is not None:
            key, value = "request", request.id if isinstance(request, RecordedRequest) else request
            if value is None:
                raise ValueError("this request has no id: the k2mock that recorded it does not number requests")
            if isinstance(value, bool) or not isinstance(value, int):
                raise TypeError("explain(request=...) takes a request's id (an int) or a RecordedRequest, not %r"
                                % (request,))
        else:
            key, value = "resource", resource.id if isinstance(resource, Resource) else resource
            if not isinstance(value, str):
                raise TypeError("explain(resource=...) takes a resource's id (a str) or a Resource, not %r"
                                % (resource,))
        return self._admin("GET", "/explain?" + urllib.parse.urlencode({key: value}))

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

    # Transcripts

    def transcript(self, snapshot: bool = False) -> str:
        """This sandbox's whole conversation as k2mock writes it: YAML text, a header document
        then one per entry (each K2 API request with its answer, each callback or webhook
        delivery attempt, each clock advance), ports as placeholders. `snapshot=True` asks for
        one fit to compare with a later run's: on a real clock k2mock refuses it
        (`K2MockConflictError`, 409, carrying k2mock's message)."""
        return self._transcript_bytes(snapshot).decode("utf-8")

    def _transcript_bytes(self, snapshot: bool) -> bytes:
        return self._admin("GET", "/transcript" + ("?snapshot=true" if snapshot else ""), raw=True)

    def diff_transcripts(self, expected: str, actual: str) -> TranscriptDiff:
        """k2mock's comparison of two transcript texts (`POST /__admin/transcript/diff`).
        Raises `K2MockAPIError` (400) when one is not a transcript: its `message` names the
        side and line (`expected:3: not YAML: ...`)."""
        if not isinstance(expected, str) or not isinstance(actual, str):
            raise TypeError("diff_transcripts(expected, actual): two transcript texts")
        answer = self._admin_call("POST", "/__admin/transcript/diff", {"expected": expected, "actual": actual})
        return TranscriptDiff(bool(answer["equal"]), list(answer.get("differences") or []))

    def snapshot_path(self, path: Union[str, os.PathLike]) -> str:
        """The absolute path `assert_transcript(path)` reads and writes: an absolute `path` as
        it is; a relative one against `snapshot_dir` if set, else (under pytest) the running
        test's file's directory, else the current directory."""
        path = os.fspath(path)
        if os.path.isabs(path):
            return path
        return os.path.abspath(os.path.join(self.snapshot_dir or _Snapshots.test_dir or os.getcwd(), path))

    def assert_transcript(self, path: Union[str, os.PathLike], *, update: Optional[bool] = None) -> None:
        """A snapshot test of the whole conversation: this sandbox's transcript (asked for with
        `snapshot=true`: a real clock or no seed raises `K2MockConflictError` with k2mock's message)
        against the file at `path` (see `snapshot_path`). No such file, or update mode (`update`,
        else `--k2mock-update-snapshots` or K2MOCK_UPDATE_SNAPSHOTS=1): writes it, making its
        folders, and passes. The same bytes: passes. Else raises `K2MockTranscriptMismatch` (an
        AssertionError) naming the file and listing k2mock's differences, or k2mock's reason
        when the file is not a transcript it reads. Needs a manual clock and a seed to be the
        same in every run."""
        __tracebackhide__ = True  # pytest reports the failure at the test's line
        where = self.snapshot_path(path)
        actual = self._transcript_bytes(True)
        if update is None:
            update = _updating_snapshots()
        expected: Optional[bytes] = None
        if not update:
            try:
                with open(where, "rb") as snapshot:
                    expected = snapshot.read()
            except FileNotFoundError:
                pass
        if expected is None:
            os.makedirs(os.path.dirname(where), exist_ok=True)
            with open(where, "wb") as snapshot:
                snapshot.write(actual)
            return
        if expected == actual:
            return
        try:
            diff = self.diff_transcripts(expected.decode("utf-8", errors="replace"), actual.decode("utf-8"))
        except K2MockAPIError as error:
            if error.status != 400:
                raise
            raise K2MockTranscriptMismatch(
                "k2mock transcript: the snapshot %s cannot be compared: %s\n%s" % (where, error.message, _ACCEPT),
                path=where, unreadable=error.message) from None
        lines = diff.differences or ["(k2mock's diff finds no difference in content: the file's bytes differ "
                                     "in form only, such as its line endings)"]
        raise K2MockTranscriptMismatch(
            "k2mock transcript differs from the snapshot %s:\n%s\n%s" % (
                where, "\n".join("  " + line for line in lines), _ACCEPT),
            path=where, differences=diff.differences)


class K2Mock(_AdminAPI):
    """`k2mock serve` on `127.0.0.1` and a free port, with a scenario; or, from
    `K2Mock.connect(url)`, a k2mock that runs already (a service container).

    `scenario` is a scenario file's path (None: the built-in default). `clock` ("manual" or
    "real"), `time_scale`, `seed` and `admin_token` are `serve`'s options of the same names;
    `args` are more. Starts at once; stop with `stop()` or use it as a context manager.
    Raises `K2MockError` when the binary is missing or exits (an invalid scenario: its message
    names file, line and key), or when it does not listen within `start_timeout` seconds.

    Its admin methods act on the server's own sandbox; `sandbox()` makes another, isolated one.
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
        self._process: Optional[subprocess.Popen] = subprocess.Popen(
            command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self._stderr = threading.Thread(target=self._drain, args=(self._process.stderr,), daemon=True)
        self._stderr.start()
        self.origin = self._wait_for_listening(start_timeout)
        threading.Thread(target=self._drain, args=(self._process.stdout,), daemon=True).start()

    @classmethod
    def connect(cls, url: str, admin_token: Optional[str] = None, *, timeout: float = 10.0) -> "K2Mock":
        """A k2mock this process did not start, at `url` (`http://HOST:PORT`), with the same
        admin calls; `stop()` leaves it running. Waits up to `timeout` seconds for it to answer
        (a service container that is still starting), then raises `K2MockError`; a refused
        `admin_token` raises `K2MockAdminTokenError`. `scenario` is the server's, as it names it."""
        parts = urllib.parse.urlsplit(url.strip())
        if parts.scheme not in ("http", "https") or not parts.hostname or parts.path.strip("/") or parts.query:
            raise K2MockError("not a k2mock URL (http://HOST:PORT): %r" % url)
        server = cls.__new__(cls)
        server.origin = "%s://%s" % (parts.scheme, parts.netloc)
        server.admin_token = admin_token
        server.scenario = None
        server.log = collections.deque(maxlen=1000)
        server._process = None
        deadline = time.monotonic() + timeout
        while True:
            try:
                health = server.health()
                break
            except K2MockAPIError:
                raise
            except K2MockError as error:
                if time.monotonic() >= deadline:
                    raise K2MockError("%s (waited %s s)" % (error, timeout)) from None
                time.sleep(0.1)
        server.scenario = health.get("scenario")
        return server

    def _drain(self, stream: Any) -> None:
        for line in stream:
            self.log.append(line.rstrip("\n"))

    def _wait_for_listening(self, timeout: float) -> str:
        assert self._process is not None
        process = self._process
        stdout = process.stdout
        assert stdout is not None
        found: List[str] = []
        reader = threading.Thread(target=lambda: found.append(stdout.readline()), daemon=True)
        reader.start()
        reader.join(timeout)
        line = found[0].strip() if found else ""
        if line.startswith(_LISTENING):
            return line[len(_LISTENING):]
        if process.poll() is None:
            process.kill()
        code = process.wait()
        self._stderr.join(1.0)  # its last lines say why
        detail = "\n".join(self.log) or line
        if not found:
            raise K2MockError("k2mock did not listen within %s s:\n%s" % (timeout, detail))
        raise K2MockError("k2mock exited with status %s:\n%s" % (code, detail))

    # Lifecycle

    @property
    def connected(self) -> bool:
        """True for a server from `connect()` (not started, never stopped, by this object)."""
        return self._process is None

    @property
    def running(self) -> bool:
        """The started process has not exited; for a connected server, it answers."""
        if self._process is not None:
            return self._process.poll() is None
        try:
            self.health()
        except K2MockAPIError:
            return True
        except K2MockError:
            return False
        return True

    def stop(self, timeout: float = 10.0) -> Optional[int]:
        """SIGTERM, then waits for it to exit (callbacks under way get 1 s); returns the exit
        status. A connected server is left running (returns None)."""
        if self._process is None:
            return None
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

    def __repr__(self) -> str:
        return "<K2Mock %s %s>" % ("connected to" if self.connected else "started at", self.origin)

    # Sandboxes beside the server's own

    def sandbox(self, name: Optional[str] = None, scenario: Optional[Union[str, os.PathLike]] = None,
                scenario_yaml: Optional[str] = None, seed: Optional[int] = None, clock: Optional[str] = None,
                time_scale: Optional[float] = None, ttl: Optional[Union[str, int]] = None) -> "Sandbox":
        """Makes a sandbox on this server, isolated from every other: its own clock, resources,
        journals, and credentials (the scenario's with `-<name>` appended). `name`: 1 to 64 of
        `[A-Za-z0-9_-]` (None: the server numbers it `sandbox-N`). `scenario` is a path the
        *server* reads (relative to its working directory), `scenario_yaml` a scenario's text;
        neither: the server's scenario. `ttl` ("30m", or seconds) ends it after that long idle.
        Raises `K2MockAPIError`: 400 (a bad field or invalid scenario: the message names
        file:line:column and key), `K2MockConflictError` (409, the name is taken), 429 (the
        server's `--max-sandboxes`)."""
        body: Dict[str, Any] = {}
        if name is not None:
            body["name"] = name
        if scenario is not None:
            body["scenario"] = os.fspath(scenario)
        if scenario_yaml is not None:
            body["scenario_yaml"] = scenario_yaml
        if seed is not None:
            body["seed"] = seed
        if clock is not None:
            body["clock"] = clock
        if time_scale is not None:
            body["time_scale"] = time_scale
        if ttl is not None:
            body["ttl"] = "%ds" % ttl if isinstance(ttl, int) and not isinstance(ttl, bool) else ttl
        return Sandbox(self, self._admin("POST", "/sandboxes", body, expect=201))

    def sandboxes(self) -> List["Sandbox"]:
        """Every sandbox made beside the server's own, oldest first."""
        return [Sandbox(self, entry) for entry in self._admin("GET", "/sandboxes")]

    def get_sandbox(self, sandbox_id: str) -> "Sandbox":
        """The sandbox `sandbox_id` (made by another process, say); raises `K2MockNotFoundError`
        if there is none (never made, deleted, or ended by its ttl)."""
        return Sandbox(self, self._admin("GET", "/sandboxes/" + urllib.parse.quote(sandbox_id, safe="")))


class Sandbox(_AdminAPI):
    """One sandbox on a k2mock server, from `K2Mock.sandbox()`: the same admin calls, scoped to
    it (`/__admin/sandboxes/{id}/...`). The app under test needs only `base_url` (the server's)
    and this sandbox's `credentials` (or `tokens`): k2mock finds the sandbox by them.
    Use it as a context manager to delete it at the end."""

    def __init__(self, server: K2Mock, entry: Mapping[str, Any]) -> None:
        self.server = server
        self.origin = server.origin
        self.id: str = entry["id"]
        self.name: str = entry.get("name") or self.id
        self.scenario: Optional[str] = entry.get("scenario")
        self.seed: Optional[int] = entry.get("seed")
        self.ttl: Optional[str] = entry.get("ttl")
        self.credentials: List[Dict[str, str]] = [dict(c) for c in entry.get("credentials") or []]
        self.tokens: List[Dict[str, str]] = [dict(t) for t in entry.get("tokens") or []]
        self.admin_url: Optional[str] = entry.get("admin")
        self.info: Dict[str, Any] = dict(entry)
        self.deleted = False
        self.snapshot_dir: Optional[str] = server.snapshot_dir
        self._admin_root = "/__admin/sandboxes/" + urllib.parse.quote(self.id, safe="")

    @property
    def admin_token(self) -> Optional[str]:  # type: ignore[override]
        """The server's admin token."""
        return self.server.admin_token

    def _first(self, key: str) -> Optional[str]:
        return self.credentials[0][key] if self.credentials else None

    @property
    def client_id(self) -> Optional[str]:
        """The first credential's client id (None if the scenario has no credentials)."""
        return self._first("client_id")

    @property
    def client_secret(self) -> Optional[str]:
        return self._first("client_secret")

    @property
    def api_key(self) -> Optional[str]:
        """The first credential's API key: it signs this sandbox's callbacks."""
        return self._first("api_key")

    @property
    def token(self) -> Optional[str]:
        """The first pre-issued token (None if the scenario issues none)."""
        return self.tokens[0]["value"] if self.tokens else None

    def delete(self) -> Dict[str, Any]:
        """Deletes it: pending deliveries are dropped, its tokens answer 401 from then on.
        Answers `{"id", "deleted", "dropped_deliveries"}`; raises `K2MockNotFoundError` if the
        server has no such sandbox (deleted already, or ended by its ttl)."""
        answer = self.server._admin("DELETE", "/sandboxes/" + urllib.parse.quote(self.id, safe=""))
        self.deleted = True
        return answer

    def __enter__(self) -> "Sandbox":
        return self

    def __exit__(self, *exc: Any) -> None:
        if not self.deleted:
            try:
                self.delete()
            except K2MockNotFoundError:
                self.deleted = True

    def __repr__(self) -> str:
        return "<Sandbox %s on %s%s>" % (self.id, self.origin, " (deleted)" if self.deleted else "")
