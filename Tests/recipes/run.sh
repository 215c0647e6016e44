#!/usr/bin/env bash
# The CI recipes' one script (examples/ci/run-tests-against-k2mock.sh), run as the GitHub Actions
# and GitLab CI recipes run it, so the recipes cannot rot: a passing app run, a run whose
# expectations fail, failing tests, a bad scenario, and a k2mock that already runs (a service).
set -uo pipefail
cd "$(dirname "$0")/../.."
export K2MOCK_BIN=${K2MOCK_BIN:-.build/debug/k2mock}
script=examples/ci/run-tests-against-k2mock.sh
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
failures=0
check() {  # check DESCRIPTION EXPECTED_STATUS ACTUAL_STATUS [FILE PATTERN]
    if [ "$3" -ne "$2" ]; then
        echo "FAIL: $1: exit $3, expected $2" >&2; failures=$((failures + 1)); return
    fi
    if [ $# -ge 5 ] && ! grep -q -- "$5" "$4"; then
        echo "FAIL: $1: $4 lacks $5" >&2; cat "$4" >&2; failures=$((failures + 1)); return
    fi
    echo "ok: $1"
}

for recipe in examples/ci/github-actions.yml examples/ci/gitlab-ci.yml; do
    grep -q "run-tests-against-k2mock.sh" "$recipe"; check "$recipe runs the script" 0 $?
done

K2MOCK_SCENARIO=scenarios/ci-pipeline.yaml K2MOCK_JUNIT=$out/pass.xml \
    $script python3 examples/ci/sample_app_tests.py >"$out/pass.log" 2>&1
check "the sample app meets ci-pipeline.yaml's expectations" 0 $? "$out/pass.xml" 'tests="3" failures="0"'

K2MOCK_SCENARIO=scenarios/ci-pipeline.yaml K2MOCK_JUNIT=$out/idle.xml $script true >"$out/idle.log" 2>&1
check "an app that calls nothing fails verify" 1 $? "$out/idle.xml" 'failures="2"'

K2MOCK_SCENARIO=scenarios/ci-pipeline.yaml K2MOCK_JUNIT=$out/failing.xml $script sh -c 'exit 7' >"$out/failing.log" 2>&1
check "failing tests give their own status, and the XML is still written" 7 $? "$out/failing.xml" '<testsuites'

printf 'version: 1\ntimelines:\n  payment: [{ after: 0s, stage: Sent }]\n' > "$out/bad.yaml"
K2MOCK_SCENARIO=$out/bad.yaml $script true >"$out/bad.log" 2>&1
check "a bad scenario stops the job before the tests, saying where" 2 $? "$out/bad.log" 'bad.yaml:3'

K2MOCK_SCENARIO=scenarios/ci-pipeline.yaml K2MOCK_ADMIN_TOKEN=s3cret K2MOCK_JUNIT=$out/guarded.xml \
    $script python3 examples/ci/sample_app_tests.py >"$out/guarded.log" 2>&1
check "K2MOCK_ADMIN_TOKEN guards the admin API and is given to verify" 0 $? "$out/guarded.xml" 'failures="0"'

K2MOCK_URL=http://127.0.0.1:9 $script sh -c 'echo ran > '"$out/ran" >"$out/nothing.log" 2>&1
check "K2MOCK_URL that does not answer stops the job before the tests" 2 $?
[ ! -e "$out/ran" ]; check "the tests did not run against nothing" 0 $?

"$K2MOCK_BIN" serve --port 0 --scenario scenarios/ci-pipeline.yaml >"$out/service.log" 2>/dev/null &
service=$!
for _ in $(seq 1 100); do grep -q listening "$out/service.log" && break; sleep 0.05; done
url=$(sed -n 's/^k2mock listening on //p' "$out/service.log")
K2MOCK_URL=$url K2MOCK_JUNIT=$out/service.xml $script python3 examples/ci/sample_app_tests.py >"$out/svc.log" 2>&1
check "K2MOCK_URL: a running k2mock (a service container) is used and left running" 0 $? "$out/service.xml" 'failures="0"'
kill -0 $service 2>/dev/null; check "the service still runs after the script" 0 $?
kill -TERM $service; wait $service

# The parallel jobs: one k2mock service container, pytest-xdist workers, a sandbox per test
# (examples/ci/test_payments_in_sandboxes.py). Needs a $PYTHON with pytest, pytest-xdist and
# k2mock's package (clients/python).
for recipe in examples/ci/github-actions.yml examples/ci/gitlab-ci.yml; do
    grep -q "K2MOCK_URL: http" "$recipe" && grep -q "K2MOCK_CALLBACK_HOST: " "$recipe" \
        && grep -q "pytest -n 4 .*--k2mock-scenario /usr/share/k2mock/scenarios/ci-pipeline.yaml" "$recipe"
    check "$recipe has a parallel job against one k2mock service container" 0 $?
done
python=${PYTHON:-python3}
if "$python" -c 'import pytest, xdist, k2mock' 2>/dev/null; then
    "$K2MOCK_BIN" serve --port 0 --scenario scenarios/ci-pipeline.yaml >"$out/shared.log" 2>/dev/null &
    service=$!
    for _ in $(seq 1 100); do grep -q listening "$out/shared.log" && break; sleep 0.05; done
    url=$(sed -n 's/^k2mock listening on //p' "$out/shared.log")
    # 127.0.0.2 stands in for host.docker.internal / build: the receivers listen on every interface.
    K2MOCK_URL=$url K2MOCK_CALLBACK_HOST=127.0.0.2 "$python" -m pytest -n 4 -q -p no:cacheprovider \
        examples/ci/test_payments_in_sandboxes.py --k2mock-scenario "$PWD/scenarios/ci-pipeline.yaml" \
        --junitxml "$out/parallel.xml" >"$out/parallel.log" 2>&1
    check "4 pytest-xdist workers on one k2mock, a sandbox per test, each meeting ci-pipeline.yaml's expectations" \
        0 $? "$out/parallel.xml" 'failures="0" skipped="0" tests="8"'
    left=$("$python" -c 'import k2mock, sys; print(len(k2mock.K2Mock.connect(sys.argv[1]).sandboxes()))' "$url")
    [ "$left" = 0 ]; check "every test's sandbox was deleted after it, and the service still runs" 0 $?
    kill -TERM $service; wait $service
else
    echo "skip: the parallel recipe's tests: $python lacks pytest, pytest-xdist or k2mock's package (set PYTHON)"
fi

[ "$failures" -eq 0 ] || { echo "$failures recipe checks failed" >&2; exit 1; }
