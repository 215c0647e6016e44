"""The cases every k2mock test kit must pass (clients/parity.json), through the Python kit,
against the real binary ($K2MOCK_BIN). One test per case id; a case without an implementation
here fails. Manual clocks throughout: time moves only by `advance`."""
import contextlib
import importlib.metadata
import inspect
import json
import os
import re
import shutil
import socket
import threading
import urllib.error
import urllib.request

import pytest

import k2mock
from k2mock import (CallbackReceiver, K2Mock, K2MockAdminTokenError, K2MockAPIError, K2MockConflictError, K2MockError,
                    K2MockTranscriptMismatch, kopo_kopo_signature)
from test_sandboxes import HAPPY, ROOT, created, oauth_token, start_separately, stk_push

PARITY = os.path.join(ROOT, "clients", "parity.json")
with open(PARITY) as parity_file:
    CASES = {case["id"]: case["does"] for case in json.load(parity_file)["cases"]}

# The built-in default scenario (scenarios/default.yaml): what a kit gets with no scenario.
CLIENT_ID, CLIENT_SECRET, API_KEY = "sandbox_client_id", "sandbox_client_secret", "sandbox_api_key"
DOCS_TOKEN = "0Sn0W6kzNicvoWhDbQcVSKLRUpGjIdlPSEYyrHqrDDoRnQwE7Q"
DOCS_PAYMENT = "/api/v1/payments/c6fda139-2480-4a93-95ed-f72c66b92364"
DEFAULT_FIXTURES = {("payment", "c6fda139-2480-4a93-95ed-f72c66b92364"),
                    ("pay_recipient", "c7f300c0-f1ef-4151-9bbe-005005aa3747")}

IMPLEMENTATIONS = {}


def case(case_id):
    """Registers the function as the implementation of parity case `case_id`."""
    def register(function):
        assert case_id not in IMPLEMENTATIONS, "two implementations of " + case_id
        IMPLEMENTATIONS[case_id] = function
        return function
    return register


@pytest.mark.parametrize("case_id", list(CASES))
def test_parity(case_id, request):
    implementation = IMPLEMENTATIONS.get(case_id)
    if implementation is None:
        pytest.fail("parity case %r has no implementation in the Python kit's tests (%s): %s"
                    % (case_id, os.path.basename(__file__), CASES[case_id]), pytrace=False)
    implementation(**{name: request.getfixturevalue(name) for name in inspect.signature(implementation).parameters})


def status_of(url, *, data=None, headers=None):
    """The HTTP status `url` answers, error statuses included."""
    try:
        with urllib.request.urlopen(urllib.request.Request(url, data=data, headers=headers or {}), timeout=10) as answer:
            return answer.status
    except urllib.error.HTTPError as error:
        return error.code


def free_url():
    """http://127.0.0.1:PORT where nothing listens (the port was free a moment ago, then closed)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return "http://127.0.0.1:%d" % probe.getsockname()[1]


def pay_in(server, receiver, token=DOCS_TOKEN):
    """Asks for an STK push with the receiver as callback_url; answers the new payment's path."""
    answer = server.request("POST", "/api/v2/incoming_payments", stk_push(receiver.url()), token=token)
    assert answer.status == 201, answer.body
    return answer.location[len(server.origin):]


@pytest.fixture
def server():
    """k2mock started by the kit: the built-in default scenario, on a manual clock."""
    with K2Mock(clock="manual") as started:
        yield started


@pytest.fixture
def receiver():
    with CallbackReceiver(api_key=API_KEY) as started:
        yield started


@case("start-stop")
def start_stop():
    binary = os.environ.get("K2MOCK_BIN") or shutil.which("k2mock")
    server = K2Mock(clock="manual")
    try:
        pid = server._process.pid
        assert server._process.args[0] == binary, "the binary from K2MOCK_BIN, else PATH"
        assert server.running and not server.connected and server.clock()["mode"] == "manual"
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+/", server.base_url) and server.port != 0
        assert status_of(server.base_url + "__admin/health") == 200
        assert status_of(server.base_url + DOCS_PAYMENT[1:], headers={"Authorization": "Bearer " + DOCS_TOKEN}) == 200
    finally:
        assert server.stop() == 0
    assert not server.running
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)  # stop() reaped it: no process (not even a zombie) has its pid
    with pytest.raises(K2MockError, match="does not answer"):
        K2Mock.connect(server.origin, timeout=0)


@case("missing-binary")
def missing_binary(tmp_path, monkeypatch):
    missing = str(tmp_path / "no-such-dir" / "k2mock")
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("K2MOCK_BIN", missing)
    monkeypatch.setenv("PATH", str(empty))
    assert shutil.which("k2mock") is None
    with pytest.raises(K2MockError) as raised:
        K2Mock(clock="manual")
    message = str(raised.value)
    for named in ("K2MOCK_BIN", "PATH", "tarball", missing):
        assert named in message, "%r does not name %s" % (message, named)
    assert not isinstance(raised.value, K2MockAPIError)

    monkeypatch.delenv("K2MOCK_BIN")  # nor on PATH: the same advice
    with pytest.raises(K2MockError) as raised:
        K2Mock(clock="manual")
    for named in ("K2MOCK_BIN", "PATH", "tarball"):
        assert named in str(raised.value)


@case("sdk-token")
def sdk_token(server):
    import k2connect  # the official Python SDK, k2-connect 2.0.0 (Tests/sdk/python/requirements.txt)

    k2connect.initialize(CLIENT_ID, CLIENT_SECRET, server.base_urls["python"], api_secret=API_KEY)
    issued = k2connect.Tokens.request_access_token()
    assert issued["token_type"] == "Bearer" and issued["access_token"]
    assert server.request("GET", DOCS_PAYMENT, token=issued["access_token"]).status == 200, "a token k2mock honours"
    assert [(r.method, r.path, r.status) for r in server.requests()][0] == ("POST", "/oauth/token", 200)


@case("create-advance-callback")
def create_advance_callback(server, receiver):
    path = pay_in(server, receiver)
    assert server.callbacks() == [] and receiver.received == []
    server.advance(10)
    (delivery,) = server.callbacks()
    assert (delivery.kind, delivery.resource, delivery.outcome) == ("callback", "incoming_payment", "delivered")
    assert delivery.resource_id == path.rsplit("/", 1)[1]
    (received,) = receiver.received
    assert received.body == delivery.body.encode(), "exactly the journal's body"
    assert received.verified and received.signature == delivery.signature
    assert received.json()["data"]["attributes"]["status"] == "Success"


@case("receiver-verifies")
def receiver_verifies(server, receiver):
    pay_in(server, receiver)
    server.advance(10)
    (genuine,) = receiver.wait_for(1, timeout=10)
    assert genuine.verified, "k2mock's own signature, with the api key, is accepted"

    def post(body, signature):
        return status_of(receiver.url(), data=body,
                         headers={"Content-Type": "application/json", "X-KopoKopo-Signature": signature})

    changed = bytearray(genuine.body)
    changed[changed.index(b"Success")] = ord("s")  # one byte of the body, the signature left as it was
    assert post(bytes(changed), genuine.signature) == 200
    other_key = kopo_kopo_signature(genuine.body, "another-api-key")
    sender = threading.Thread(target=post, args=(genuine.body, other_key))
    sender.start()
    got = receiver.wait_for(3, timeout=10)  # returns once the third has come
    sender.join()
    assert [c.verified for c in got] == [True, False, False]
    assert got[1].body == bytes(changed) and (got[2].body, got[2].signature) == (genuine.body, other_key)
    with pytest.raises(AssertionError, match="2 callbacks with a wrong signature"):
        receiver.assert_all_verified()

    with pytest.raises(AssertionError, match=r"3 callbacks arrived in 0\.2 s, not 4"):
        receiver.wait_for(4, timeout=0.2)


@case("reset")
def reset(server, receiver):
    fixtures = server.resources()
    assert {(r.kind, r.id) for r in fixtures} == DEFAULT_FIXTURES and created(fixtures) == []
    pay_in(server, receiver)
    subscription = {"event_type": "customer_created", "url": receiver.url("/hooks"), "scope": "company"}
    assert server.request("POST", "/api/v2/webhook_subscriptions", subscription, token=DOCS_TOKEN).status == 201
    server.advance(10)
    server.fire_event("customer_created")
    assert len(created(server.resources())) == 2 and len(server.callbacks()) == 2

    server.reset()
    assert server.resources() == fixtures, "the scenario's fixtures only"
    assert server.callbacks() == []


@case("fire-event")
def fire_event(server, receiver):
    subscription = {"event_type": "buygoods_transaction_received", "url": receiver.url("/hooks"), "scope": "company"}
    assert server.request("POST", "/api/v2/webhook_subscriptions", subscription, token=DOCS_TOKEN).status == 201
    fired = server.fire_event("buygoods_transaction_received", {"amount": "250.0"})
    assert fired["event"] == "buygoods_transaction_received" and len(fired["deliveries"]) == 1
    (delivery,) = server.callbacks()
    assert (delivery.kind, delivery.topic, delivery.outcome) == ("webhook", "buygoods_transaction_received", "delivered")
    assert delivery.url == receiver.url("/hooks")
    event = delivery.json()
    assert event["topic"] == "buygoods_transaction_received" and event["id"] == delivery.event_id
    assert event["event"]["resource"]["amount"] == "250.0"
    (received,) = receiver.received
    assert received.path == "/hooks" and received.body == delivery.body.encode()
    assert received.verified and received.signature == delivery.signature == kopo_kopo_signature(received.body, API_KEY)


EXPECTING = """\
version: 1
clock: { mode: manual, start: "2021-01-28T10:00:00+03:00" }
credentials:
  - { client_id: parity-client, client_secret: parity-secret, api_key: sandbox_api_key }
tokens:
  - { value: parity-token, client_id: parity-client }
expect:
  - { requests: { method: POST, path: /api/v2/incoming_payments }, count: 1 }
  - { callbacks: { outcome: delivered, kind: callback }, count: 1 }
"""


@case("expectations")
def expectations(tmp_path, receiver):
    scenario = tmp_path / "expecting.yaml"
    scenario.write_text(EXPECTING)
    with K2Mock(scenario) as server:
        before = server.verify()
        assert not before.passed
        assert [(f.description, f.expected, f.actual) for f in before.failures] == [
            ("requests POST /api/v2/incoming_payments: expected 1, got 0 (%s:8)" % scenario, 1, 0),
            ("callbacks outcome=delivered kind=callback: expected 1, got 0 (%s:9)" % scenario, 1, 0)]
        with pytest.raises(AssertionError, match="expected 1, got 0"):
            server.assert_expectations()

        pay_in(server, receiver, token="parity-token")
        server.advance(10)
        after = server.verify()
        assert after.passed and after.failures == []
        assert [(r.passed, r.actual) for r in after.results] == [(True, 1), (True, 1)]
        server.assert_expectations()


@case("admin-token-refused")
def admin_token_refused():
    with K2Mock(clock="manual", admin_token="s3cret") as server:
        for token, said in ((None, "none was given"), ("wrong", "wrong token")):
            with pytest.raises(K2MockAdminTokenError, match=said) as raised:
                K2Mock.connect(server.origin, admin_token=token, timeout=0)
            assert raised.value.status == 401 and isinstance(raised.value, K2MockError)
            server.admin_token = token
            with pytest.raises(K2MockAdminTokenError):
                server.advance(1)
        server.admin_token = "s3cret"
        assert server.advance(1)["mode"] == "manual"
        assert {(r.kind, r.id) for r in server.resources()} == DEFAULT_FIXTURES
        again = K2Mock.connect(server.origin, admin_token="s3cret", timeout=0)
        with again.sandbox(name="with-token") as sandbox:
            assert sandbox.clock()["mode"] == "manual"
        assert again.callbacks() == []


@case("unreachable")
def unreachable():
    url = free_url()
    with pytest.raises(K2MockError) as raised:
        K2Mock.connect(url, timeout=0)
    assert url in str(raised.value) and not isinstance(raised.value, K2MockAPIError)


@case("scenario-error")
def scenario_error(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("version: 1\ntimelines:\n  payment: [{ after: 0s, stage: Sent }]\n")
    with pytest.raises(K2MockError) as raised:
        K2Mock(bad, clock="manual")
    assert re.search(re.escape(str(bad)) + r":3:\d+: ", str(raised.value)), str(raised.value)
    assert "Sent" in str(raised.value)


@case("connect-sandbox-isolation")
def connect_sandbox_isolation():
    process, url = start_separately("--clock", "manual")  # not the kit's: a service container, say
    try:
        server = K2Mock.connect(url, timeout=10)
        assert server.connected
        with server.sandbox(name="alpha") as alpha, server.sandbox(name="beta") as beta, \
                CallbackReceiver(api_key=alpha.api_key) as receiver:
            for sandbox in (alpha, beta):
                assert sandbox.credentials == [{"client_id": CLIENT_ID + "-" + sandbox.name,
                                                "client_secret": CLIENT_SECRET + "-" + sandbox.name,
                                                "api_key": API_KEY + "-" + sandbox.name}]
            tokens = {}
            for sandbox in (alpha, beta):
                issued = oauth_token(server, sandbox.client_id, sandbox.client_secret)
                assert issued.status == 200
                tokens[sandbox.name] = issued.json()["access_token"]
            assert tokens["alpha"] != tokens["beta"]

            path = pay_in(server, receiver, token=tokens["alpha"])
            assert [r.path for r in created(alpha.resources())] == [path]
            assert path not in [r.path for r in beta.resources()] and created(beta.resources()) == []
            assert server.request("GET", path, token=tokens["alpha"]).status == 200
            assert server.request("GET", path, token=tokens["beta"]).status == 404

            alpha.delete()
            assert server.request("GET", path, token=tokens["alpha"]).status == 401
            assert server.request("POST", "/api/v2/incoming_payments", stk_push(receiver.url()),
                                  token=tokens["alpha"]).status == 401
            assert server.request("GET", DOCS_PAYMENT, token=tokens["beta"]).status == 200, "beta lives on"
        assert server.sandboxes() == [] and server.stop() is None
        assert process.poll() is None, "a connected server is left running"
    finally:
        process.terminate()
        process.wait()


@contextlib.contextmanager
def paid(server, receiver, amount, clock="manual"):
    """One run of a flow on a sandbox named the same in every run (happy-path.yaml, a fixed
    seed): a token, an incoming payment of `amount` with a callback to `receiver`, 10 s."""
    with server.sandbox(name="transcript-snapshot", scenario=HAPPY, clock=clock, seed=7) as sandbox:
        if clock == "manual":
            receiver.api_key = sandbox.api_key
            issued = oauth_token(server, sandbox.client_id, sandbox.client_secret)
            assert issued.status == 200
            payment = dict(stk_push(receiver.url()), amount={"currency": "KES", "value": amount})
            assert server.request("POST", "/api/v2/incoming_payments", payment,
                                  token=issued.json()["access_token"]).status == 201
            sandbox.advance(10)
            (callback,) = receiver.received
            assert callback.verified
            receiver.received.clear()
        yield sandbox


@case("transcript-snapshot")
def transcript_snapshot(server, tmp_path, monkeypatch):
    monkeypatch.delenv("K2MOCK_UPDATE_SNAPSHOTS", raising=False)
    snapshot = tmp_path / "snapshots" / "pay.yaml"  # its folder does not exist yet
    with CallbackReceiver() as first, CallbackReceiver() as second:
        assert first.port != second.port
        with paid(server, first, 1500) as sandbox:
            sandbox.assert_transcript(snapshot)  # no file yet: written, passes
            written = snapshot.read_bytes()
            assert written == sandbox.transcript(snapshot=True).encode()
        assert b'sandbox: "transcript-snapshot"' in written and b'"value": 1500' in written

        with K2Mock(clock="manual") as again, paid(again, second, 1500) as sandbox:  # another server, receiver
            assert again.port != server.port
            sandbox.assert_transcript(str(snapshot))  # the same flow: the same bytes
        assert snapshot.read_bytes() == written

        with paid(server, first, 2500) as sandbox:
            with pytest.raises(K2MockTranscriptMismatch) as raised:
                sandbox.assert_transcript(snapshot)
            actual = sandbox.transcript(snapshot=True)
            expected = sandbox.diff_transcripts(written.decode(), actual)
        failure = raised.value
        assert isinstance(failure, AssertionError) and failure.path == str(snapshot)
        assert not expected.equal and failure.differences == expected.differences
        message = str(failure)
        assert message.startswith("k2mock transcript differs from the snapshot %s:\n" % snapshot)
        for difference in expected.differences:
            assert "\n  " + difference + "\n" in message, "each of k2mock's differences, one a line"
        assert any("1500" in d and "2500" in d for d in failure.differences), failure.differences
        assert "K2MOCK_UPDATE_SNAPSHOTS=1" in message and "--k2mock-update-snapshots" in message
        assert snapshot.read_bytes() == written, "a failure leaves the snapshot as it was"

        monkeypatch.setenv("K2MOCK_UPDATE_SNAPSHOTS", "1")
        with paid(server, second, 2500) as sandbox:
            sandbox.assert_transcript(snapshot)
            assert snapshot.read_bytes() == sandbox.transcript(snapshot=True).encode() != written
        monkeypatch.delenv("K2MOCK_UPDATE_SNAPSHOTS")
        with paid(server, first, 2500) as sandbox:
            sandbox.assert_transcript(snapshot)  # passes against the rewritten file

    with paid(server, None, 2500, clock="real") as sandbox:
        with pytest.raises(K2MockConflictError) as raised:
            sandbox.assert_transcript(tmp_path / "real.yaml")
    assert raised.value.status == 409 and isinstance(raised.value, K2MockError)
    assert raised.value.message.startswith("This sandbox runs a real clock: ")
    assert "For a snapshot, run it on a manual clock" in raised.value.message
    assert not (tmp_path / "real.yaml").exists()


@case("version")
def version():
    with open(os.path.join(ROOT, "VERSION")) as version_file:
        repository = version_file.read().strip()
    with open(os.path.join(ROOT, "clients", "python", "pyproject.toml")) as pyproject:
        declared = re.search(r'^version\s*=\s*"([^"]+)"', pyproject.read(), re.MULTILINE).group(1)
    assert declared == repository, "clients/python/pyproject.toml says %s, VERSION %s" % (declared, repository)
    assert importlib.metadata.version("k2mock") == repository, "the installed package"
    assert getattr(k2mock, "__version__", repository) == repository
