#!/usr/bin/env bash
# The OpenAPI contract checked by schemathesis (PyPI) against the real binary: every operation,
# with the scenario's bearer token and an admin token, MAX_EXAMPLES generated cases each (default
# 100), then stateful runs that follow each create's `location` to its GET (the document's links).
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=${K2MOCK_BIN:-.build/debug/k2mock}
PYTHON=${PYTHON:-python3}
VENV=.build/contract-venv
if [ ! -x "$VENV/bin/schemathesis" ]; then
    $PYTHON -m venv "$VENV"
    "$VENV/bin/pip" install -q -r Tests/contract/requirements.txt
fi
log=$(mktemp)
trap 'kill $server 2>/dev/null || true; rm -f "$log"' EXIT
"$BIN" serve --port 0 --scenario Tests/contract/scenario.yaml --admin-token contract-admin --log-format none >"$log" 2>&1 &
server=$!
for _ in $(seq 1 100); do grep -q listening "$log" && break; sleep 0.05; done
url=$(sed -n 's/^k2mock listening on //p' "$log")
export K2_TOKEN=contract-token ADMIN_TOKEN=contract-admin
cd Tests/contract
"../../$VENV/bin/schemathesis" --config-file schemathesis.toml run "../../openapi/k2mock.json" --url "$url" \
    --max-examples "${MAX_EXAMPLES:-100}" --exclude-path /__admin/stream \
    --exclude-path '/__admin/sandboxes/{sandbox}/stream' --seed "${SEED:-1}" \
    --workers 2 --no-color "$@"
