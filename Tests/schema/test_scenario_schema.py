"""The scenario JSON Schema (`k2mock schema`) against `k2mock validate`: the same verdict on every
shipped scenario, on each kind's own stages, and on a table of wrong ones; the checked-in copy
(schemas/scenario.schema.json) and the served one (GET /__admin/scenario-schema.json) are the
same bytes. Editors rely on the schema; k2mock relies on validate; they must agree."""
import json
import os
import pathlib
import subprocess
import tempfile
import urllib.request

import jsonschema
import pytest
import yaml

ROOT = pathlib.Path(__file__).resolve().parents[2]
BINARY = os.environ.get("K2MOCK_BIN", str(ROOT / ".build" / "debug" / "k2mock"))


class YAML12ishLoader(yaml.SafeLoader):
    """PyYAML reads `2021-01-28T10:00:00+03:00` as a datetime; k2mock, editors and JSON Schema
    see a string. Everything else as SafeLoader reads it."""


YAML12ishLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def k2mock(*args):
    return subprocess.run([BINARY, *args], capture_output=True, text=True)


@pytest.fixture(scope="module")
def schema():
    printed = k2mock("schema")
    assert printed.returncode == 0, printed.stderr
    return json.loads(printed.stdout)


@pytest.fixture(scope="module")
def validator(schema):
    return jsonschema.Draft202012Validator(schema)


def schema_accepts(validator, text):
    return not list(validator.iter_errors(yaml.load(text, Loader=YAML12ishLoader)))


def validate_accepts(text, directory=None):
    with tempfile.TemporaryDirectory() as scratch:
        path = pathlib.Path(directory or scratch) / "case-under-test.yaml"
        path.write_text(text)
        try:
            return k2mock("validate", str(path)).returncode == 0
        finally:
            path.unlink()


def test_it_is_a_valid_2020_12_schema_and_every_copy_is_the_same(schema):
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    printed = k2mock("schema").stdout
    assert (ROOT / "schemas" / "scenario.schema.json").read_text() == printed, \
        "schemas/scenario.schema.json is stale: run `make generate`"
    server = subprocess.Popen([BINARY, "serve", "--port", "0", "--log-format", "none"], stdout=subprocess.PIPE, text=True)
    try:
        url = server.stdout.readline().strip().rsplit(" ", 1)[-1]
        with urllib.request.urlopen(url + "/__admin/scenario-schema.json") as answer:
            assert answer.headers["Content-Type"] == "application/schema+json"
            assert answer.read().decode() + "\n" == printed
    finally:
        server.terminate()
        server.wait()


SHIPPED = sorted(ROOT.glob("scenarios/*.yaml")) + sorted(ROOT.glob("Tests/*/*/scenario.yaml")) + [ROOT / "Tests/contract/scenario.yaml"]


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_shipped_scenario_is_accepted_by_both(validator, path):
    text = path.read_text()
    assert validate_accepts(text, directory=path.parent)
    assert schema_accepts(validator, text), list(validator.iter_errors(yaml.load(text, Loader=YAML12ishLoader)))


@pytest.mark.parametrize("path", sorted(ROOT.glob("scenarios/*.yaml")), ids=lambda p: p.name)
def test_every_shipped_scenario_names_the_schema_for_editors(path):
    first = path.read_text().splitlines()[0]
    assert first == "# yaml-language-server: $schema=../schemas/scenario.schema.json"


def kinds_with_stages():
    server = subprocess.Popen([BINARY, "serve", "--port", "0", "--log-format", "none"], stdout=subprocess.PIPE, text=True)
    try:
        url = server.stdout.readline().strip().rsplit(" ", 1)[-1]
        with urllib.request.urlopen(url + "/__admin/kinds") as answer:
            return json.loads(answer.read())
    finally:
        server.terminate()
        server.wait()


def test_each_kinds_own_stages_are_accepted_by_both(validator):
    for kind in kinds_with_stages():
        middle = [stage for stage in kind["stages"] if stage not in kind["final"]]
        for final in kind["final"]:
            steps = [{"after": f"{index}s", "stage": stage} for index, stage in enumerate(middle + [final])]
            text = yaml.safe_dump({"version": 1, "timelines": {kind["kind"]: steps}})
            assert validate_accepts(text), text
            assert schema_accepts(validator, text), text


GOOD = "version: 1\n"
# (why it is wrong, a scenario): both refuse each.
WRONG = [
    ("an unknown top-level key", "version: 1\ncolour: blue\n"),
    ("no version", "seed: 1\n"),
    ("another version", "version: 2\n"),
    ("a timeline for an unknown kind", "version: 1\ntimelines:\n  card: [{ after: 0s, stage: Pending }]\n"),
    ("a timeline for a kind without stages", "version: 1\ntimelines:\n  pay_recipient: [{ after: 0s, stage: Pending }]\n"),
    ("a stage the kind does not have", "version: 1\ntimelines:\n  payment: [{ after: 0s, stage: Success }]\n"),
    ("an empty timeline", "version: 1\ntimelines:\n  payment: []\n"),
    ("a step without after", "version: 1\ntimelines:\n  payment: [{ stage: Pending }]\n"),
    ("a step with another key", "version: 1\ntimelines:\n  payment: [{ after: 0s, stage: Pending, colour: 1 }]\n"),
    ("a duration without a unit, quoted", "version: 1\ntimelines:\n  payment: [{ after: \"5\", stage: Pending }]\n"),
    ("a rule key polling cannot match", "version: 1\ntimelines:\n  rules:\n    - match: { resource: polling, amount: 5 }\n"
                                         "      timeline: [{ after: 0s, stage: Pending }]\n"),
    ("a rule key incoming_payment cannot match",
     "version: 1\ntimelines:\n  rules:\n    - match: { resource: incoming_payment, destination_type: till }\n"
     "      timeline: [{ after: 0s, stage: Pending }]\n"),
    ("a rule's stage of another kind", "version: 1\ntimelines:\n  rules:\n    - match: { resource: payment, amount: 5 }\n"
                                        "      timeline: [{ after: 0s, stage: Success }]\n"),
    ("a rule for an unknown kind", "version: 1\ntimelines:\n  rules:\n    - match: { resource: card }\n"
                                   "      timeline: [{ after: 0s, stage: Pending }]\n"),
    ("a rule without a timeline", "version: 1\ntimelines:\n  rules:\n    - match: { resource: payment }\n"),
    ("a rule amount that is not one", "version: 1\ntimelines:\n  rules:\n    - match: { resource: payment, amount: lots }\n"
                                      "      timeline: [{ after: 0s, stage: Pending }]\n"),
    ("a clock mode", "version: 1\nclock: { mode: fast }\n"),
    ("a clock scale of 0", "version: 1\nclock: { scale: 0 }\n"),
    ("a negative seed", "version: 1\nseed: -1\n"),
    ("credentials without an api key", "version: 1\ncredentials: [{ client_id: a, client_secret: b }]\n"),
    ("an empty client id", "version: 1\ncredentials: [{ client_id: \"\", client_secret: b, api_key: c }]\n"),
    ("a token ttl that is not a duration", "version: 1\ncredentials: [{ client_id: a, client_secret: b, api_key: c, token_ttl: soon }]\n"),
    ("a token without a client", "version: 1\ntokens: [{ value: t }]\n"),
    ("a token with a space", "version: 1\ncredentials: [{ client_id: a, client_secret: b, api_key: c }]\n"
                             "tokens: [{ value: \"a b\", client_id: a }]\n"),
    ("fixtures that are not a list", "version: 1\nfixtures: a.json\n"),
    ("an unknown event topic", "version: 1\nevents: [{ at: 5s, topic: card_magic }]\n"),
    ("an event without at", "version: 1\nevents: [{ topic: buygoods_transaction_received }]\n"),
    ("an event's resource that is not a mapping", "version: 1\nevents: [{ at: 5s, topic: buygoods_transaction_received, resource: 5 }]\n"),
    ("a bad_signature that is not a boolean", "version: 1\nevents: [{ at: 5s, topic: buygoods_transaction_received, delivery: { bad_signature: maybe } }]\n"),
    ("too many duplicates", "version: 1\nevents: [{ at: 5s, topic: buygoods_transaction_received, delivery: { duplicates: 101 } }]\n"),
    ("retry attempts of 0", "version: 1\ncallbacks: { retry: { attempts: 0 } }\n"),
    ("a proxy that is not http", "version: 1\ncallbacks: { proxy: socks5://x }\n"),
    ("a fault that does nothing", "version: 1\nfaults: [{ match: { path: /x } }]\n"),
    ("a fault respond without a status", "version: 1\nfaults: [{ respond: { body: x } }]\n"),
    ("a fault status out of range", "version: 1\nfaults: [{ respond: { status: 700 } }]\n"),
    ("an expectation without a count", "version: 1\nexpect: [{ requests: { method: POST } }]\n"),
    ("an expectation of nothing", "version: 1\nexpect: [{ count: 1 }]\n"),
    ("an unknown callback outcome", "version: 1\nexpect: [{ callbacks: { outcome: lost }, count: 1 }]\n"),
    ("a negative count", "version: 1\nexpect: [{ requests: {}, count: -1 }]\n"),
    ("a token ttl of 0", "version: 1\ncredentials: [{ client_id: a, client_secret: b, api_key: c, token_ttl: 0 }]\n"),
    ("a token ttl under a second", "version: 1\ncredentials: [{ client_id: a, client_secret: b, api_key: c, token_ttl: 500ms }]\n"),
    ("a negative rule amount", "version: 1\ntimelines:\n  rules:\n    - match: { resource: payment, amount: -5 }\n"
                               "      timeline: [{ after: 0s, stage: Pending }]\n"),
    ("a rule amount with three decimals", "version: 1\ntimelines:\n  rules:\n    - match: { resource: payment, amount: \"1.005\" }\n"
                                          "      timeline: [{ after: 0s, stage: Pending }]\n"),
    ("a clock start that is not a time", "version: 1\nclock: { start: yesterday }\n"),
    ("a proxy without a host", "version: 1\ncallbacks: { proxy: \"http://\" }\n"),
    ("a callback timeout of 0", "version: 1\ncallbacks: { timeout: 0 }\n"),
    ("an error on a stage that is not Failed", "version: 1\ntimelines:\n  payment:\n"
                                               "    - { after: 0s, stage: Pending, error: nope }\n"),
]

# What both accept although it looks unusual.
ACCEPTED = [
    ("a proxy URL in capitals", "version: 1\ncallbacks: { proxy: \"HTTP://proxy.test:3128\" }\n"),
    ("an error on a Failed step", "version: 1\ntimelines:\n  payment:\n    - { after: 0s, stage: Pending }\n"
                                  "    - { after: 5s, stage: Failed, error: The balance is insufficient }\n"),
    ("a token ttl in milliseconds of a second or more", "version: 1\ncredentials: [{ client_id: a, client_secret: b, api_key: c, token_ttl: 1500ms }]\n"),
]


@pytest.mark.parametrize("why,text", ACCEPTED, ids=[why for why, _ in ACCEPTED])
def test_both_accept_each_unusual_scenario(validator, why, text):
    assert validate_accepts(text), f"k2mock validate refuses {why}"
    assert schema_accepts(validator, text), f"the schema refuses {why}"


@pytest.mark.parametrize("why,text", WRONG, ids=[why for why, _ in WRONG])
def test_both_refuse_each_wrong_scenario(validator, why, text):
    assert not validate_accepts(text), f"k2mock validate accepts {why}"
    assert not schema_accepts(validator, text), f"the schema accepts {why}"


def test_the_table_starts_from_one_both_accept(validator):
    assert validate_accepts(GOOD) and schema_accepts(validator, GOOD)


def test_init_writes_a_starter_both_accept_and_never_overwrites(validator, tmp_path):
    assert k2mock("init", str(tmp_path)).returncode == 0
    text = (tmp_path / "k2mock.yaml").read_text()
    assert text.startswith("# yaml-language-server: $schema=k2mock.schema.json\n")
    assert (tmp_path / "k2mock.schema.json").read_text() == k2mock("schema").stdout
    assert validate_accepts(text) and schema_accepts(validator, text)
    again = k2mock("init", str(tmp_path))
    assert again.returncode == 1 and "exists already" in again.stderr
    assert (tmp_path / "k2mock.yaml").read_text() == text
