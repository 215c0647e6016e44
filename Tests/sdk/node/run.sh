#!/usr/bin/env bash
# Runs the k2-connect-node 2.0.0 suite against the k2mock binary in $K2MOCK_BIN (default
# $REPO/.build/debug/k2mock), with the SDK loaded from $REPO/.build/sdks (Tests/sdk/setup.sh
# unpacks it there) and its dependencies (axios, lodash) from Debian's /usr/share/nodejs.
# Prints one line per test, what failed, and a one-line summary; exits non-zero on any failure.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../../.." && pwd)
export K2MOCK_BIN=${K2MOCK_BIN:-$REPO/.build/debug/k2mock}
SDKS=$REPO/.build/sdks

[ -x "$K2MOCK_BIN" ] || { echo "k2mock binary not found or not executable: $K2MOCK_BIN" >&2; exit 2; }
[ -d "$SDKS/node_modules/k2-connect-node" ] || { echo "SDK missing: run Tests/sdk/setup.sh first ($SDKS)" >&2; exit 2; }
command -v node >/dev/null || { echo "node not found (apt-get install nodejs node-axios node-lodash)" >&2; exit 2; }

node_path=$SDKS/node_modules
for dir in /usr/share/nodejs /usr/lib/nodejs; do
  if [ -d "$dir" ]; then node_path=$node_path:$dir; fi
done
export NODE_PATH=$node_path
# No proxy for the SDK's axios: everything here is loopback.
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY
export NO_PROXY='*'

cd "$HERE"
started=$(date +%s)
rc=0
# A hard cap well under two minutes, in case something hangs. Files run two at a time, each with
# its own k2mock on port 0 and its own receiver.
timeout --kill-after=5 100 node --test --test-concurrency=2 \
  --test-reporter=./reporter.mjs --test-reporter-destination=stdout \
  tokens.test.js services.test.js webhooks.test.js negative.test.js real_clock.test.js || rc=$?
if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
  echo "FAIL: the suite did not finish within 100 s (killed)" >&2
fi
echo "wall time: $(( $(date +%s) - started )) s; exit status $rc"
exit "$rc"
