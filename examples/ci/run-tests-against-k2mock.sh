#!/usr/bin/env bash
# The steps a CI job runs around an app's tests: start k2mock with a scenario, run the tests with
# K2_BASE_URL pointing at it, then check the scenario's expectations with
# `k2mock verify --junit` (the CI system shows the XML as test results) and stop k2mock.
# Exit status: the tests' if they failed, else verify's (0 all held, 1 one failed, 2 k2mock
# unreachable or the XML not writable, 3 admin token refused); before the tests run, 2 if k2mock
# did not start or K2MOCK_URL does not answer, 3 if it refuses K2MOCK_ADMIN_TOKEN.
#
#   K2MOCK_SCENARIO=scenarios/ci-pipeline.yaml examples/ci/run-tests-against-k2mock.sh pytest -q
#
# K2MOCK_BIN          the k2mock binary (default: the one beside this script, else k2mock on PATH)
# K2MOCK_URL          a k2mock that already runs (a service container): nothing is started or stopped
# K2MOCK_ADMIN_TOKEN  its admin token (given to `serve --admin-token` and to `verify`)
# K2MOCK_JUNIT        where the XML goes (default: k2mock-junit.xml)
# K2MOCK_ARGS         more `serve` options, e.g. "--seed 7"
set -uo pipefail
beside="$(dirname "$0")/k2mock"
if [ -n "${K2MOCK_BIN:-}" ]; then k2mock=$K2MOCK_BIN
elif [ -x "$beside" ] && [ ! -d "$beside" ]; then k2mock=$beside
else k2mock=k2mock; fi
junit=${K2MOCK_JUNIT:-k2mock-junit.xml}
token=()
[ -n "${K2MOCK_ADMIN_TOKEN:-}" ] && token=(--admin-token "$K2MOCK_ADMIN_TOKEN")
pid=
log=$(mktemp)
stop() {
    [ -n "$pid" ] || return 0
    kill -TERM "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
    pid=
}
trap 'stop; rm -f "$log" "$log.verify"' EXIT

if [ -n "${K2MOCK_URL:-}" ]; then
    url=$K2MOCK_URL
else
    : "${K2MOCK_SCENARIO:?set K2MOCK_SCENARIO to the scenario file (or K2MOCK_URL to a running k2mock)}"
    # shellcheck disable=SC2086
    "$k2mock" serve --host 127.0.0.1 --port 0 --scenario "$K2MOCK_SCENARIO" "${token[@]}" ${K2MOCK_ARGS:-} >"$log" 2>&1 &
    pid=$!
    url=
    for _ in $(seq 1 100); do
        url=$(sed -n 's/^k2mock listening on //p' "$log" | head -n1)
        [ -n "$url" ] && break
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    if [ -z "$url" ]; then
        echo "k2mock did not start:" >&2
        cat "$log" >&2
        exit 2
    fi
fi
echo "k2mock at $url" >&2
# Before the tests: is it there, and does it take the admin token? (1 is expectations not met yet.)
"$k2mock" verify --url "$url" "${token[@]}" >/dev/null 2>"$log.verify"
ready=$?
if [ "$ready" -ge 2 ]; then
    cat "$log.verify" >&2
    exit "$ready"
fi

K2_BASE_URL=$url "$@"
tests=$?

"$k2mock" verify --url "$url" "${token[@]}" --junit "$junit"
verified=$?
stop
if [ "$tests" -ne 0 ]; then exit "$tests"; fi
exit "$verified"
