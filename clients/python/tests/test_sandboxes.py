"""Sandboxes from Python: `K2Mock.sandbox()`, `K2Mock.connect()`, and the `k2mock_sandbox` /
`k2mock_server` fixtures, against the real binary ($K2MOCK_BIN). Manual clocks throughout."""
import json
import os
import re
import socket
import subprocess
import urllib.parse

import pytest

from k2mock import (CallbackReceiver, K2Mock, K2MockAdminTokenError, K2MockAPIError, K2MockConflictError,
                    K2MockError, K2MockNotFoundError, Sandbox, find_binary, kopo_kopo_signature)
from k2mock.pytest_plugin import sandbox_name

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
HAPPY = os.path.join(ROOT, "scenarios", "happy-path.yaml")
FAILURES = os.path.join(ROOT, "scenarios", "failures.yaml")
DEMO_A = {"client_id": "demo-client-a", "client_secret": "demo-secret-a", "api_key": "demo-api-key-a"}


def stk_push(callback_url, phone="+254799999999"):
    return {"payment_channel": "M-PESA STK Push", "till_number": "K000000",
            "subscriber": {"phone_number": phone}, "amount": {"currency": "KES", "value": 100},
            "_links": {"callback_url": callback_url}}


def oauth_token(server, client_id, client_secret):
    form = urllib.parse.urlencode({"grant_type": "client_credentials", "client_id": client_id,
                                   "client_secret": client_secret}).encode()
    return server.request("POST", "/oauth/token", form, headers={"Content-Type": "application/x-www-form-urlencoded"})


def created(resources):
    return [r for r in resources if r.created_at is not None]


@pytest.fixture(scope="module")
def server():
    with K2Mock(HAPPY) as started:
        yield started


def test_two_sandboxes_are_isolated_and_found_by_their_own_credentials(server):
    with server.sandbox(name="a", scenario=HAPPY) as a, server.sandbox(name="b", scenario=HAPPY) as b, \
            CallbackReceiver(api_key=a.api_key) as receiver:
        assert (a.id, a.name, a.scenario, a.seed) == ("a", "a", HAPPY, 42)
        assert a.credentials == [DEMO_A] and (a.client_id, a.client_secret, a.api_key) == tuple(DEMO_A.values())
        assert a.tokens == [{"value": "demo-token-a", "client_id": "demo-client-a"}] and a.token == "demo-token-a"
        assert a.base_url == b.base_url == server.base_url and a.base_urls == server.base_urls
        assert a.admin_url == server.origin + "/__admin/sandboxes/a"

        # The app knows only the server's URL and a's credentials: k2mock finds a by them.
        issued = oauth_token(server, a.client_id, a.client_secret)
        assert issued.status == 200
        answer = server.request("POST", "/api/v2/incoming_payments", stk_push(receiver.url()),
                                token=issued.json()["access_token"])
        assert answer.status == 201
        path = answer.location[len(server.origin):]
        assert [r.path for r in created(a.resources())] == [path]
        assert created(b.resources()) == [] and created(server.resources()) == []
        assert server.request("GET", path, token=b.token).status == 404, "b cannot read a's payment"
        assert oauth_token(server, "demo-client", "demo-secret").status == 200, "the server's own still works"

        ran = a.advance(10)
        assert [entry.get("stage") or entry.get("outcome") for entry in ran["ran"]] == ["Success", "delivered"]
        assert a.clock()["now"] == "2021-01-28T10:00:10.000+03:00"
        assert b.clock()["now"] == server.clock()["now"] == "2021-01-28T10:00:00.000+03:00"
        (received,) = receiver.received
        assert received.verified, "signed with a's own API key"
        assert received.signature != kopo_kopo_signature(received.body, "demo-api-key")
        assert [d.outcome for d in a.callbacks()] == ["delivered"] and b.callbacks() == server.callbacks() == []
        assert [(r.method, r.path, r.status) for r in a.requests()] == [
            ("POST", "/oauth/token", 200), ("POST", "/api/v2/incoming_payments", 201)]
        assert [(r.path, r.status) for r in b.requests()] == [(path, 404)]

        a.reset()
        assert created(a.resources()) == [] and a.callbacks() == [] and a.clock()["now"].startswith("2021-01-28T10:00:00")
    assert server.sandboxes() == [], "both deleted when their blocks ended"


def test_a_deleted_sandbox_drops_its_deliveries_and_its_credentials(server):
    sandbox = server.sandbox(name="gone", scenario=HAPPY)
    subscription = {"event_type": "customer_created", "url": "http://127.0.0.1:9/hooks", "scope": "company"}
    assert server.request("POST", "/api/v2/webhook_subscriptions", subscription, token=sandbox.token).status == 201
    sandbox.fire_event("customer_created", delay="30s")
    assert [s.id for s in server.sandboxes()] == ["gone"]
    assert server.get_sandbox("gone").credentials == sandbox.credentials

    assert sandbox.delete() == {"id": "gone", "deleted": True, "dropped_deliveries": 1}
    assert sandbox.deleted and "deleted" in repr(sandbox)
    assert server.request("POST", "/api/v2/webhook_subscriptions", subscription, token=sandbox.token).status == 401
    assert oauth_token(server, sandbox.client_id, sandbox.client_secret).status == 401
    with pytest.raises(K2MockNotFoundError) as raised:
        sandbox.clock()
    assert raised.value.status == 404
    assert raised.value.message == "Sandbox gone was deleted; 1 pending delivery was dropped"
    with pytest.raises(K2MockNotFoundError):
        sandbox.delete()
    with sandbox:
        pass  # leaving the block deletes nothing twice and does not raise
    assert server.sandboxes() == []


def test_the_servers_errors_are_typed_and_carry_k2s_message(server, tmp_path):
    with server.sandbox(name="taken") as sandbox:
        with pytest.raises(K2MockConflictError) as raised:
            server.sandbox(name="taken")
        assert isinstance(raised.value, K2MockAPIError) and isinstance(raised.value, K2MockError)
        assert (raised.value.status, raised.value.message) == (409, "A sandbox named taken exists already")
        assert raised.value.method == "POST" and raised.value.path == "/__admin/sandboxes"
        assert sandbox.scenario == server.health()["scenario"], "no scenario: the server's own"

    with pytest.raises(K2MockNotFoundError) as raised:
        server.get_sandbox("nope")
    assert (raised.value.status, raised.value.message) == (404, "No sandbox nope")
    with pytest.raises(K2MockNotFoundError, match="No sandbox nope"):
        Sandbox(server, {"id": "nope"}).advance(1)

    bad = "version: 1\ntimelines:\n  payment: [{ after: 0s, stage: Sent }]\n"
    with pytest.raises(K2MockAPIError) as raised:
        server.sandbox(scenario_yaml=bad)
    assert raised.value.status == 400 and not isinstance(raised.value, (K2MockConflictError, K2MockNotFoundError))
    assert raised.value.message.startswith("The scenario is not valid: scenario_yaml:3:")
    assert "unknown stage 'Sent' for payment" in raised.value.message
    (tmp_path / "bad.yaml").write_text(bad)
    with pytest.raises(K2MockAPIError, match=re.escape(str(tmp_path / "bad.yaml")) + ":3:"):
        server.sandbox(scenario=tmp_path / "bad.yaml")
    with pytest.raises(K2MockAPIError, match="name must be 1 to 64 letters"):
        server.sandbox(name="not a name")
    with pytest.raises(K2MockAPIError, match="ttl must be a duration"):
        server.sandbox(ttl="soon")
    assert server.sandboxes() == [], "nothing half-made is left"


def test_a_sandbox_takes_its_own_scenario_seed_clock_and_ttl(server):
    yaml = ('version: 1\nclock: { mode: real, start: "2021-01-28T10:00:00+03:00" }\n'
            "credentials:\n  - { client_id: c, client_secret: s, api_key: k }\n")
    with server.sandbox(scenario_yaml=yaml, seed=7, clock="manual", time_scale=2, ttl=3600) as sandbox:
        assert re.fullmatch(r"sandbox-\d+", sandbox.id) and sandbox.name == sandbox.id
        assert (sandbox.scenario, sandbox.seed, sandbox.ttl) == ("scenario_yaml", 7, "1h")
        assert sandbox.credentials == [{"client_id": "c-" + sandbox.id, "client_secret": "s-" + sandbox.id,
                                        "api_key": "k-" + sandbox.id}]
        assert sandbox.tokens == [] and sandbox.token is None
        assert sandbox.clock() == {"now": "2021-01-28T10:00:00.000+03:00", "mode": "manual", "scale": 2.0}
    with server.sandbox(scenario=FAILURES, ttl="30m") as sandbox:
        assert (sandbox.seed, sandbox.ttl, sandbox.client_id) == (7, "30m", "demo-client-" + sandbox.id)
        answer = server.request("POST", "/api/v2/incoming_payments", stk_push("http://127.0.0.1:9/x", "+254700000001"),
                                token=sandbox.token)
        assert answer.status == 201
        sandbox.advance(60)
        assert created(sandbox.resources())[0].stage == "Failed", "failures.yaml's cancelled push"


def test_too_many_sandboxes_is_a_429():
    with K2Mock(HAPPY, args=["--max-sandboxes", "1"]) as server:
        server.sandbox()
        with pytest.raises(K2MockAPIError) as raised:
            server.sandbox()
        assert raised.value.status == 429 and "--max-sandboxes" in raised.value.message


def start_separately(*args):
    """`k2mock serve` as another program would start it (not through K2Mock)."""
    process = subprocess.Popen([find_binary(), "serve", "--port", "0"] + list(args), stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL, text=True)
    line = process.stdout.readline()
    assert line.startswith("k2mock listening on "), line
    return process, line.split()[-1]


def test_connect_drives_a_server_this_process_did_not_start_and_leaves_it_running():
    process, url = start_separately("--scenario", HAPPY, "--admin-token", "s3cret")
    try:
        with K2Mock.connect(url + "/", admin_token="s3cret") as server:
            assert server.connected and server.running and server.origin == url
            assert server.scenario == HAPPY and server.port == int(url.rsplit(":", 1)[1])
            assert repr(server) == "<K2Mock connected to %s>" % url
            assert server.request("POST", "/api/v2/incoming_payments", stk_push("http://127.0.0.1:9/x"),
                                  token="demo-token").status == 201
            assert server.advance(10)["now"] == "2021-01-28T10:00:10.000+03:00"
            assert [r.stage for r in created(server.resources())] == ["Success"]
            with server.sandbox(name="w1") as sandbox:
                assert sandbox.admin_token == "s3cret" and sandbox.clock()["mode"] == "manual"
                assert created(sandbox.resources()) == []
            assert server.stop() is None
        assert process.poll() is None, "stop() and the with block left it running"
        again = K2Mock.connect(url, admin_token="s3cret")
        assert [r.stage for r in created(again.resources())] == ["Success"], "the same server, untouched"

        with pytest.raises(K2MockAdminTokenError, match="wrong token"):
            K2Mock.connect(url, admin_token="wrong")
        with pytest.raises(K2MockAdminTokenError, match="none was given") as raised:
            K2Mock.connect(url)
        assert raised.value.status == 401
    finally:
        process.terminate()
        process.wait()


def test_connect_names_a_url_that_does_not_answer_or_is_not_one():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = "http://127.0.0.1:%d" % probe.getsockname()[1]
    with pytest.raises(K2MockError, match=r"k2mock at %s does not answer \(GET /__admin/health\).*waited 0.2 s"
                       % re.escape(closed)):
        K2Mock.connect(closed, timeout=0.2)
    for wrong in ("127.0.0.1:8080", "ftp://127.0.0.1", "http://127.0.0.1:8080/__admin"):
        with pytest.raises(K2MockError, match="not a k2mock URL"):
            K2Mock.connect(wrong)


def test_a_receiver_for_a_server_in_a_container_listens_on_every_interface(server):
    # 127.0.0.2 stands in for host.docker.internal: not loopback's name, but it reaches this machine.
    with server.sandbox(scenario=HAPPY) as sandbox, CallbackReceiver(api_key=sandbox.api_key, host="127.0.0.2") as receiver:
        assert receiver.url().startswith("http://127.0.0.2:%d/" % receiver.port)
        assert receiver._server.server_address[0] == "0.0.0.0"
        assert server.request("POST", "/api/v2/incoming_payments", stk_push(receiver.url()),
                              token=sandbox.token).status == 201
        sandbox.advance(10)
        assert [c.verified for c in receiver.received] == [True]
    with CallbackReceiver() as receiver:
        assert receiver.url() == "http://127.0.0.1:%d/k2/result" % receiver.port
        assert receiver._server.server_address[0] == "127.0.0.1"


def test_sandbox_names_are_what_k2mock_accepts_distinct_per_test_and_the_same_in_every_run():
    assert sandbox_name("tests/test_checkout.py::test_paid[1500-KES]") == "tests_test_checkout_py_test_paid_1500-KES"
    assert sandbox_name("test_x.py::test_y") == "test_x_py_test_y"
    long_a = "tests/" + "a" * 80 + "/test_module.py::test_a_rather_long_name[case-1]"
    long_b = "tests/" + "b" * 80 + "/test_module.py::test_a_rather_long_name[case-1]"
    names = [sandbox_name(long_a), sandbox_name(long_b)]
    for name in names:
        assert re.fullmatch(r"[ab]{6}_test_module_py_test_a_rather_long_name_case-1-[0-9a-f]{8}", name), \
            "61 characters that keep the test's name, and a hash of the whole id"
    assert names[0] != names[1]
    assert names == [sandbox_name(long_a), sandbox_name(long_b)], "from the test id alone: no random part"
    assert sandbox_name("???") == "test"
    with pytest.raises(TypeError):
        sandbox_name("test_x.py::test_y", "gw3")  # no worker: a transcript holds the name


# The fixtures, in a pytest run of their own (pytester).

FIXTURE_TESTS = """
import json, os, pytest
from k2mock import K2MockNotFoundError

def record(k2mock_server, k2mock_sandbox, **more):
    entry = dict(origin=k2mock_server.origin, name=k2mock_sandbox.name, scenario=k2mock_sandbox.scenario,
                 others=[s.id for s in k2mock_server.sandboxes() if s.id != k2mock_sandbox.id], **more)
    with open(os.path.join(os.environ["RECORD_DIR"], k2mock_sandbox.name + ".json"), "w") as out:
        json.dump(entry, out)

@pytest.mark.parametrize("amount", [100, 200, 300, 400])
def test_pay(k2mock_server, k2mock_sandbox, k2mock_receiver, amount):
    payment = {"payment_channel": "M-PESA STK Push", "till_number": "K000000",
               "subscriber": {"phone_number": "+254799999999"}, "amount": {"currency": "KES", "value": amount},
               "metadata": {"amount": amount}, "_links": {"callback_url": k2mock_receiver.url()}}
    answer = k2mock_sandbox.request("POST", "/api/v2/incoming_payments", payment, token=k2mock_sandbox.token)
    assert answer.status == 201
    k2mock_sandbox.advance(10)
    (mine,) = [r for r in k2mock_sandbox.resources() if r.created_at]
    assert mine.body["data"]["attributes"]["metadata"] == {"amount": amount}, "only this test's payment"
    (callback,) = k2mock_receiver.received
    assert callback.verified, "checked with the sandbox's own API key"
    assert k2mock_receiver.api_key == k2mock_sandbox.api_key
    record(k2mock_server, k2mock_sandbox, worker=os.environ.get("PYTEST_XDIST_WORKER"))

@pytest.mark.k2mock(scenario=%(failures)r, seed=3)
def test_marked(k2mock_server, k2mock_sandbox):
    assert (k2mock_sandbox.scenario, k2mock_sandbox.seed) == (%(failures)r, 3)
    record(k2mock_server, k2mock_sandbox)

@pytest.mark.k2mock(scenario_yaml="version: 1\\ncredentials:\\n  - { client_id: y, client_secret: s, api_key: k }\\n", ttl="5m")
def test_yaml(k2mock_server, k2mock_sandbox):
    assert (k2mock_sandbox.scenario, k2mock_sandbox.ttl, k2mock_sandbox.client_id) == ("scenario_yaml", "5m", "y-" + k2mock_sandbox.name)
    record(k2mock_server, k2mock_sandbox)
"""


SERIAL_NAMES = ["test_fixture_py_test_marked", "test_fixture_py_test_pay_100", "test_fixture_py_test_pay_200",
                "test_fixture_py_test_pay_300", "test_fixture_py_test_pay_400", "test_fixture_py_test_yaml"]


def run_fixture_tests(pytester, tmp_path, *args):
    records = tmp_path / "records"
    records.mkdir(parents=True)
    pytester.makepyfile(test_fixture=FIXTURE_TESTS % {"failures": FAILURES})
    pytester.makeini("[pytest]\nk2mock_scenario = %s\n" % HAPPY)
    os.environ["RECORD_DIR"] = str(records)
    try:
        result = pytester.runpytest_subprocess("-p", "no:cacheprovider", *args)
    finally:
        del os.environ["RECORD_DIR"]
    seen = [json.loads(path.read_text()) for path in sorted(records.iterdir())]
    return result, seen


def test_the_sandbox_fixture_gives_each_test_its_own_sandbox_on_one_started_server(pytester, tmp_path):
    result, seen = run_fixture_tests(pytester, tmp_path, "-q")
    result.assert_outcomes(passed=6)
    assert len({entry["origin"] for entry in seen}) == 1, "one server for the session"
    assert sorted(entry["name"] for entry in seen) == SERIAL_NAMES
    assert all(entry["others"] == [] for entry in seen), "each test's sandbox was deleted after it"
    assert {entry["scenario"] for entry in seen if "pay" in entry["name"]} == {HAPPY}, "the ini's scenario"
    with pytest.raises(K2MockError, match="does not answer"):
        K2Mock.connect(seen[0]["origin"], timeout=0)


def test_under_xdist_every_worker_shares_one_server_started_by_the_controller(pytester, tmp_path):
    pytest.importorskip("xdist")
    result, seen = run_fixture_tests(pytester, tmp_path, "-q", "-n", "3")
    result.assert_outcomes(passed=6)
    assert len({entry["origin"] for entry in seen}) == 1, "ONE server for every worker"
    pays = [entry for entry in seen if "pay" in entry["name"]]
    assert len({entry["worker"] for entry in pays}) > 1, "the payments ran on several workers"
    assert sorted(entry["name"] for entry in seen) == SERIAL_NAMES, "named as in a serial run: no worker id"
    with pytest.raises(K2MockError, match="does not answer"):
        K2Mock.connect(seen[0]["origin"], timeout=0)  # stopped at the end of the run


def test_the_sandbox_fixture_uses_k2mock_url_with_its_admin_token_and_steps_around_a_taken_name(
        pytester, tmp_path, monkeypatch):
    with K2Mock(admin_token="s3cret") as server:
        leftover = server.sandbox(name="test_fixture_py_test_marked")  # as a run that crashed would leave it
        monkeypatch.setenv("K2MOCK_ADMIN_TOKEN", "s3cret")
        result, seen = run_fixture_tests(pytester, tmp_path, "-q", "--k2mock-url", server.origin)
        result.assert_outcomes(passed=6)
        assert {entry["origin"] for entry in seen} == {server.origin}
        assert "test_fixture_py_test_marked-2" in [entry["name"] for entry in seen]
        assert [s.id for s in server.sandboxes()] == [leftover.id], "the run deleted its own, only"
        assert server.running, "a server given by URL is left running"

        monkeypatch.setenv("K2MOCK_URL", server.origin)
        monkeypatch.setenv("K2MOCK_ADMIN_TOKEN", "wrong")
        result, _ = run_fixture_tests(pytester, tmp_path / "again", "-q", "-k", "test_marked")
        result.assert_outcomes(errors=1)
        result.stdout.fnmatch_lines(["*K2MockAdminTokenError: the admin API refused the admin token (wrong token)*"])


def test_marker_options_that_start_a_server_are_refused_for_a_sandbox_and_back(pytester):
    pytester.makepyfile("""
        import pytest

        @pytest.mark.k2mock(args="--seed 7")
        def test_args(k2mock_sandbox):
            pass

        @pytest.mark.k2mock(ttl="1h")
        def test_ttl(k2mock):
            pass
    """)
    result = pytester.runpytest_subprocess("-q", "-p", "no:cacheprovider")
    output = result.stdout.str() + result.stderr.str()
    assert "args start a server, and k2mock_sandbox's server is shared" in output
    assert "ttl make a sandbox: use the k2mock_sandbox fixture" in output


def test_under_xdist_a_missing_binary_fails_only_the_tests_that_need_a_sandbox(pytester, monkeypatch):
    pytest.importorskip("xdist")
    monkeypatch.setenv("K2MOCK_BIN", "/nonexistent/k2mock")
    pytester.makepyfile("""
        def test_needs_a_sandbox(k2mock_sandbox):
            pass

        def test_needs_nothing():
            pass
    """)
    result = pytester.runpytest_subprocess("-q", "-p", "no:cacheprovider", "-n", "2")
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(["*K2MockError: k2mock not found at /nonexistent/k2mock (from K2MOCK_BIN)*"])
