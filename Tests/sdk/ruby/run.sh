#!/usr/bin/env bash
# Runs the Ruby SDK suite (k2-connect-ruby 4.0.0) against the k2mock binary in $K2MOCK_BIN
# (default: .build/debug/k2mock). The SDK is loaded from a private copy of .build/sdks/k2-connect-ruby
# made for this run, because its base_url setter rewrites the gem's own k2_config.yml.
# Extra arguments go to minitest (e.g. --seed 7, -n /payment_link/, -v).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../../.." && pwd)"
export K2MOCK_BIN="${K2MOCK_BIN:-$REPO/.build/debug/k2mock}"
SDK="$REPO/.build/sdks/k2-connect-ruby"

[ -x "$K2MOCK_BIN" ] || { echo "FAILED: no k2mock binary at $K2MOCK_BIN (build it, or set K2MOCK_BIN)" >&2; exit 1; }
[ -f "$SDK/lib/k2-connect-ruby.rb" ] || { echo "FAILED: no SDK at $SDK (run Tests/sdk/setup.sh)" >&2; exit 1; }
command -v ruby >/dev/null || { echo "FAILED: ruby is not installed (run Tests/sdk/setup.sh)" >&2; exit 1; }

work="$(mktemp -d "${TMPDIR:-/tmp}/k2-ruby-sdk.XXXXXX")"
trap 'rm -rf "$work"' EXIT
cp -R "$SDK" "$work/k2-connect-ruby"
pristine="$(sha256sum "$SDK/lib/k2-connect-ruby/k2_utilities/config/k2_config.yml")"

# Everything is on loopback: no proxy, whatever the environment says.
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY
export no_proxy="127.0.0.1,localhost" NO_PROXY="127.0.0.1,localhost"

status=0
K2_RUBY_SDK="$work/k2-connect-ruby" K2_SUITE_TMP="$work" K2_SUITE_SUMMARY="$work/summary" \
  timeout 110 ruby "$HERE/suite.rb" "$@" || status=$?

if [ "$(sha256sum "$SDK/lib/k2-connect-ruby/k2_utilities/config/k2_config.yml")" != "$pristine" ]; then
  echo "FAILED: the suite changed .build/sdks/k2-connect-ruby's k2_config.yml" >&2
  status=1
fi
echo
if [ -s "$work/summary" ]; then
  cat "$work/summary"
elif [ "$status" -eq 124 ]; then
  echo "ruby SDK suite: FAILED, did not finish within 110 s"
else
  echo "ruby SDK suite: FAILED, the suite itself stopped (exit $status) before its summary"
fi
exit "$status"
