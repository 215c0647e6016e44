#!/usr/bin/env bash
# The steps a CI job runs around an app's tests: start k2mock with a scenario, run the tests with
# K2_BASE_URL pointing at it, then check the scenario's expectations with
# `k2mock verify --junit` (the CI system shows the XML as test results) and stop k2mock.
# Exit status: the tests' if they failed, else verify's (0 all held, 1 one failed, 2 unreachable,
# 3 admin token refused).
#
#   K2MOCK_SCENARIO=scenarios/ci-pipeline.yaml examples/ci/run-tests-against-k2mock.sh pytest -q
#
# K2MOCK_BIN     the k2mock binary (default: k2mock on PATH)
# K2MOCK_URL     a k2mock that already runs (a service container): nothing is started or stopped
# K2MOCK_JUNIT   where the XML goes (default: k2mock-junit.xml)
# K2MOCK_ARGS    more `serve` options, e.g. "--seed 7"
set -uo pipefail
k2mock=${K2MOCK_BIN:-k2mock}
junit=${K2MOCK_JUNIT:-k2mock-junit.xml}
pid=
log=$(mktemp)
stop() {
    [ -n "$pid" ] || return 0
    kill -TERM "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
    pid=
}
trap 'stop; rm -f "$log"' EXIT

if [ -n "${K2MOCK_URL:-}" ]; then
    url=$K2MOCK_URL
else
    : "${K2MOCK_SCENARIO:?set K2MOCK_SCENARIO to the scenario file (or K2MOCK_URL to a running k2mock)}"
    # shellcheck disable=SC2086
    "$k2mock" serve --host 127.0.0.1 --port 0 --scenario "$K2MOCK_SCENARIO" ${K2MOCK_ARGS:-} >"$log" 2>&1 &
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

K2_BASE_URL=$url "$@"
tests=$?

"$k2mock" verify --url "$url" --junit "$junit"
verified=$?
stop
if [ "$tests" -ne 0 ]; then exit "$tests"; fi
exit "$verified"
