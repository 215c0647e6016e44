"""Transcripts from Python: `transcript()`, `diff_transcripts()` and `assert_transcript()` on a
`K2Mock` and a `Sandbox`, where a relative snapshot path resolves, the update switches, and
snapshots made serially against ones made under pytest-xdist, against the real binary
($K2MOCK_BIN). Manual clocks and fixed seeds throughout (the parity case `transcript-snapshot`
covers the main flow: written, passed, failed with the differences, rewritten, a real clock)."""
import os
import subprocess
import sys
import textwrap

import pytest

from k2mock import (UPDATE_SNAPSHOTS_VARIABLE, CallbackReceiver, K2Mock, K2MockAPIError, K2MockTranscriptMismatch,
                    TranscriptDiff)
from test_sandboxes import HAPPY, stk_push

HERE = os.path.dirname(os.path.abspath(__file__))
ACCEPT = "run the test again with K2MOCK_UPDATE_SNAPSHOTS=1 (or pytest --k2mock-update-snapshots)"


@pytest.fixture(autouse=True)
def no_update_mode(monkeypatch):
    monkeypatch.delenv(UPDATE_SNAPSHOTS_VARIABLE, raising=False)


@pytest.fixture(scope="module")
def server():
    with K2Mock(HAPPY, clock="manual", seed=11, admin_token="s3cret") as started:
        yield started


def pay(sandbox, receiver, amount=100):
    payment = dict(stk_push(receiver.url()), amount={"currency": "KES", "value": amount})
    assert sandbox.request("POST", "/api/v2/incoming_payments", payment, token=sandbox.token).status == 201
    sandbox.advance(10)


def test_transcript_is_the_sandboxs_conversation_as_yaml_text(server):
    with server.sandbox(name="talk", scenario=HAPPY) as sandbox, CallbackReceiver(api_key=sandbox.api_key) as receiver:
        empty = sandbox.transcript()
        assert "\nformat: k2mock-transcript/1\n" in empty and '\nsandbox: "talk"\n' in empty
        assert "\nentries: 0\n" in empty and "\n---\n" not in empty
        pay(sandbox, receiver)
        text = sandbox.transcript()
        assert text == sandbox.transcript(snapshot=True), "a manual clock: the same text either way"
        assert "\nentries: 3\n" in text and text.count("\n---\n") == 3
        assert "\nkind: request\n" in text and "\nkind: clock\n" in text and "\nkind: callback\n" in text
        assert "{port-1}" in text and str(receiver.port) not in text, "the receiver's port is a placeholder"
        assert '\nsandbox: "default"\n' in server.transcript(), "the server's own sandbox"
        assert "\nentries: 0\n" in server.transcript(), "not the sandbox's conversation"


def test_diff_transcripts_is_k2mocks_comparison_and_a_400_for_what_is_not_one(server):
    text = server.transcript(snapshot=True)
    assert server.diff_transcripts(text, text) == TranscriptDiff(True, [])
    assert server.diff_transcripts(text.replace("seed: 11", "seed: 12"), text) == TranscriptDiff(
        False, ['header: seed: "12" → "11"'])
    with pytest.raises(K2MockAPIError) as raised:
        server.diff_transcripts("hello: [\n", text)
    assert raised.value.status == 400 and raised.value.message.startswith("expected:2: not YAML: ")
    with pytest.raises(TypeError):
        server.diff_transcripts(b"bytes", text)


def test_the_servers_own_sandbox_has_snapshots_too_sent_with_its_admin_token(tmp_path):
    snapshot = tmp_path / "own.yaml"
    for run in (1, 2):  # two servers, on two ports: the same bytes
        with K2Mock(HAPPY, clock="manual", seed=11, admin_token="s3cret") as started, \
                CallbackReceiver(api_key="demo-api-key") as receiver:
            answer = started.request("POST", "/api/v2/incoming_payments", stk_push(receiver.url()), token="demo-token")
            assert answer.status == 201
            started.advance(10)
            started.assert_transcript(snapshot)
        assert snapshot.exists()


@pytest.mark.parametrize("content, reason", [
    ("hello: [\n", "expected:2: not YAML: did not find expected node content"),
    ("", "expected:1: empty: a transcript starts with its header (format: k2mock-transcript/1)"),
])
def test_an_unreadable_snapshot_fails_naming_the_file_and_k2mocks_reason(server, tmp_path, content, reason):
    snapshot = tmp_path / "hand-edited.yaml"
    snapshot.write_text(content)
    with server.sandbox(name="unreadable", scenario=HAPPY) as sandbox:
        with pytest.raises(K2MockTranscriptMismatch) as raised:
            sandbox.assert_transcript(snapshot)
    failure = raised.value
    assert isinstance(failure, AssertionError)
    assert (failure.path, failure.unreadable, failure.differences) == (str(snapshot), reason, [])
    assert str(failure) == "k2mock transcript: the snapshot %s cannot be compared: %s\nTo accept this run's " \
                           "transcript as the snapshot, %s." % (snapshot, reason, ACCEPT)
    assert snapshot.read_text() == content, "left as it was"


def test_an_older_formats_snapshot_fails_with_k2mocks_reason(server, tmp_path):
    snapshot = tmp_path / "old.yaml"
    with server.sandbox(name="old", scenario=HAPPY) as sandbox:
        snapshot.write_text(sandbox.transcript().replace("k2mock-transcript/1", "k2mock-transcript/0"))
        with pytest.raises(K2MockTranscriptMismatch, match="this k2mock reads k2mock-transcript/1") as raised:
            sandbox.assert_transcript(snapshot)
    assert str(snapshot) in str(raised.value) and "K2MOCK_UPDATE_SNAPSHOTS=1" in str(raised.value)


def test_bytes_that_differ_in_form_only_fail_saying_so(server, tmp_path):
    snapshot = tmp_path / "crlf.yaml"
    with server.sandbox(name="crlf", scenario=HAPPY) as sandbox:
        snapshot.write_bytes(sandbox.transcript().replace("\n", "\r\n").encode())  # a checkout with autocrlf
        with pytest.raises(K2MockTranscriptMismatch, match="differ in form only, such as its line endings") as raised:
            sandbox.assert_transcript(snapshot)
    assert raised.value.differences == []


def test_update_mode_rewrites_the_snapshot_whatever_it_holds(server, tmp_path, monkeypatch):
    snapshot = tmp_path / "deep" / "er" / "update.yaml"
    with server.sandbox(name="update", scenario=HAPPY) as sandbox:
        text = sandbox.transcript().encode()
        sandbox.assert_transcript(snapshot)  # missing: written, folders made
        assert snapshot.read_bytes() == text
        for value in ("0", "false", "no", "off", ""):
            monkeypatch.setenv(UPDATE_SNAPSHOTS_VARIABLE, value)
            snapshot.write_text("hello: [\n")
            with pytest.raises(K2MockTranscriptMismatch):
                sandbox.assert_transcript(snapshot)
        for value in ("1", "true", "yes"):
            monkeypatch.setenv(UPDATE_SNAPSHOTS_VARIABLE, value)
            snapshot.write_text("hello: [\n")
            sandbox.assert_transcript(snapshot)
            assert snapshot.read_bytes() == text
        snapshot.write_text("hello: [\n")
        with pytest.raises(K2MockTranscriptMismatch):
            sandbox.assert_transcript(snapshot, update=False)  # the argument wins over the variable
        monkeypatch.delenv(UPDATE_SNAPSHOTS_VARIABLE)
        sandbox.assert_transcript(snapshot, update=True)
        assert snapshot.read_bytes() == text


def test_a_relative_path_resolves_against_the_test_files_folder_or_snapshot_dir(server, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # not the current directory, under pytest
    assert server.snapshot_path("snapshots/pay.yaml") == os.path.join(HERE, "snapshots", "pay.yaml")
    assert server.snapshot_path(tmp_path / "abs.yaml") == str(tmp_path / "abs.yaml"), "an absolute path as it is"
    with server.sandbox(name="relative", scenario=HAPPY) as sandbox:
        assert sandbox.snapshot_path("pay.yaml") == os.path.join(HERE, "pay.yaml")
        sandbox.snapshot_dir = str(tmp_path / "mine")
        sandbox.assert_transcript("pay.yaml")
        assert (tmp_path / "mine" / "pay.yaml").exists()
    server.snapshot_dir = "relative-to-cwd"
    try:
        with server.sandbox(name="inherits", scenario=HAPPY) as sandbox:
            assert sandbox.snapshot_dir == "relative-to-cwd", "a sandbox takes its server's"
            assert sandbox.snapshot_path("x.yaml") == str(tmp_path / "relative-to-cwd" / "x.yaml")
    finally:
        server.snapshot_dir = None
    assert not os.path.exists(os.path.join(HERE, "pay.yaml")) and not os.path.exists(os.path.join(HERE, "snapshots"))


def test_outside_pytest_a_relative_path_resolves_against_the_current_directory(server, tmp_path):
    script = textwrap.dedent("""
        import sys
        from k2mock import K2Mock
        server = K2Mock.connect(sys.argv[1], admin_token="s3cret")
        with server.sandbox(name="outside", scenario=sys.argv[2]) as sandbox:
            print(sandbox.snapshot_path("snapshots/pay.yaml"))
            sandbox.assert_transcript("snapshots/pay.yaml")
    """)
    done = subprocess.run([sys.executable, "-c", script, server.origin, HAPPY], cwd=str(tmp_path),
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str(tmp_path / "snapshots" / "pay.yaml")
    assert (tmp_path / "snapshots" / "pay.yaml").read_text().count('sandbox: "outside"') == 1


# The pytest plugin: k2mock_sandbox's names, the test file's folder and --k2mock-update-snapshots,
# in pytest runs of their own (pytester), serially and under pytest-xdist.

SNAPSHOT_TESTS = """
import pytest

@pytest.mark.parametrize("amount", [100, 200, 300, 400])
def test_pay(k2mock_sandbox, k2mock_receiver, amount):
    payment = {"payment_channel": "M-PESA STK Push", "till_number": "K000000",
               "subscriber": {"phone_number": "+254799999999"}, "amount": {"currency": "KES", "value": amount},
               "_links": {"callback_url": k2mock_receiver.url()}}
    assert k2mock_sandbox.request("POST", "/api/v2/incoming_payments", payment, token=k2mock_sandbox.token).status == 201
    k2mock_sandbox.advance(10)
    assert [c.verified for c in k2mock_receiver.received] == [True]
    k2mock_sandbox.assert_transcript("snapshots/pay-%%d.yaml" %% amount)

@pytest.mark.k2mock(scenario=%(happy)r, seed=5)
def test_own_server(k2mock):
    k2mock.advance(30)
    k2mock.assert_transcript("snapshots/own.yaml")
"""


def snapshot_run(pytester, *args):
    pytester.makeini("[pytest]\nk2mock_scenario = %s\n" % HAPPY)
    (pytester.path / "tests" / "shop").mkdir(parents=True, exist_ok=True)
    (pytester.path / "tests" / "shop" / "test_snap.py").write_text(SNAPSHOT_TESTS % {"happy": HAPPY})
    return pytester.runpytest_subprocess("-p", "no:cacheprovider", "-q", *args)


def snapshots(pytester):
    folder = pytester.path / "tests" / "shop" / "snapshots"
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir())} if folder.exists() else {}


def test_snapshots_made_serially_pass_under_xdist_and_the_option_rewrites_them(pytester):
    pytest.importorskip("xdist")
    snapshot_run(pytester).assert_outcomes(passed=5)
    written = snapshots(pytester)
    assert sorted(written) == ["own.yaml", "pay-100.yaml", "pay-200.yaml", "pay-300.yaml", "pay-400.yaml"], \
        "beside the test's file, not in the current directory (the rootdir)"
    assert not (pytester.path / "snapshots").exists()
    assert b'sandbox: "tests_shop_test_snap_py_test_pay_200"' in written["pay-200.yaml"], "the test's id only"

    snapshot_run(pytester, "-n", "3").assert_outcomes(passed=5)  # other workers, ports, server: the same bytes
    assert snapshots(pytester) == written

    (pytester.path / "tests" / "shop" / "snapshots" / "pay-300.yaml").write_bytes(written["pay-100.yaml"])
    failed = snapshot_run(pytester, "-n", "2")
    failed.assert_outcomes(passed=4, failed=1)
    failed.stdout.fnmatch_lines([
        "*K2MockTranscriptMismatch: k2mock transcript differs from the snapshot */tests/shop/snapshots/pay-300.yaml:",
        "*header: sandbox: \"tests_shop_test_snap_py_test_pay_100\" → \"tests_shop_test_snap_py_test_pay_300\"",
        "*request_body.amount.value: 100 → 300",
        "*To accept this run's transcript as the snapshot, " + ACCEPT + "."])

    snapshot_run(pytester, "-n", "2", "--k2mock-update-snapshots").assert_outcomes(passed=5)
    assert snapshots(pytester) == written, "rewritten with this run's transcript"
    snapshot_run(pytester).assert_outcomes(passed=5)
