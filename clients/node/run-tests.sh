#!/usr/bin/env bash
# Runs the Node kit's own tests (clients/node/test) and the example app's (examples/node-app/test)
# in one `node --test`, against the k2mock binary in $K2MOCK_BIN (default
# $REPO/.build/debug/k2mock). The official SDK (k2-connect-node, for the parity case sdk-token and
# the example) comes from $REPO/.build/sdks (Tests/sdk/setup.sh unpacks it) with Debian's
# node-axios and node-lodash; `require('k2mock')` resolves to this folder through a throwaway
# node_modules holding a link to it. Prints one line per test, the failures, and
# `k2mock Node kit and example app: N passed, M failed`; exits non-zero on any failure.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
export K2MOCK_BIN=${K2MOCK_BIN:-$REPO/.build/debug/k2mock}
case $K2MOCK_BIN in /*) ;; *) K2MOCK_BIN=$PWD/$K2MOCK_BIN ;; esac
SDKS=$REPO/.build/sdks

command -v node >/dev/null || { echo "node not found (apt-get install nodejs node-axios node-lodash)" >&2; exit 2; }
node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 18 ? 0 : 1)' ||
  { echo "Node $(node --version) is too old: the kit needs Node 18 or newer" >&2; exit 2; }
# The binary may be being rebuilt: give it a minute to come back.
for _ in $(seq 60); do [ -x "$K2MOCK_BIN" ] && break; sleep 1; done
[ -x "$K2MOCK_BIN" ] || { echo "k2mock binary not found or not executable: $K2MOCK_BIN" >&2; exit 2; }
[ -d "$SDKS/node_modules/k2-connect-node" ] || { echo "SDK missing: run Tests/sdk/setup.sh first ($SDKS)" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/node_modules"
ln -s "$HERE" "$work/node_modules/k2mock"
node_path=$work/node_modules:$SDKS/node_modules
for dir in /usr/share/nodejs /usr/lib/nodejs; do
  if [ -d "$dir" ]; then node_path=$node_path:$dir; fi
done
export NODE_PATH=$node_path
# No proxy: everything here is loopback.
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY
export NO_PROXY='*'

cd "$REPO"
started=$(date +%s)
rc=0
timeout --kill-after=5 300 node --test \
  --test-reporter=spec --test-reporter-destination=stdout \
  --test-reporter=tap --test-reporter-destination="$work/tap" \
  clients/node/test/*.test.js examples/node-app/test/*.test.js || rc=$?
if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
  echo "FAIL: the tests did not finish within 300 s (killed)" >&2
fi
passed=$(sed -n 's/^# pass \([0-9]*\)$/\1/p' "$work/tap" | tail -1)
failed=$(sed -n 's/^# fail \([0-9]*\)$/\1/p' "$work/tap" | tail -1)
echo
echo "k2mock Node kit and example app: ${passed:-0} passed, ${failed:-0} failed"
echo "wall time: $(( $(date +%s) - started )) s; exit status $rc"
if [ "$rc" -eq 0 ] && [ "${passed:-0}" -eq 0 ]; then
  echo "FAIL: no test ran" >&2
  rc=1
fi
exit "$rc"
