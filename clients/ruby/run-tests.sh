#!/usr/bin/env bash
# Runs the Ruby kit's tests and the Ruby example app's, against the k2mock binary in $K2MOCK_BIN
# (default: .build/debug/k2mock); exits non-zero if any of them fails. For `make test`.
#
#   1. the kit's Minitest suite (clients/ruby/test: the parity cases of clients/parity.json, and more)
#   2. the kit's RSpec suite (clients/ruby/spec: the RSpec helpers)
#   3. the gem as a user gets it: `gem build` + `gem install` into a temporary GEM_HOME
#   4. examples/ruby-app's tests with that installed gem, k2mock started by the kit
#   5. the same against a k2mock that runs already (K2MOCK_URL, as a CI service container)
#
# Installs what is missing (Debian's ruby, ruby-rspec, ruby-minitest and the SDK's dependencies,
# through scripts/install-deps.sh) and unpacks the official Ruby SDK with Tests/sdk/setup.sh when
# .build/sdks lacks it. Ruby warnings about keys fail each suite.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
export K2MOCK_BIN="${K2MOCK_BIN:-$REPO/.build/debug/k2mock}"
case "$K2MOCK_BIN" in /*) ;; *) K2MOCK_BIN="$PWD/$K2MOCK_BIN" ;; esac

"$REPO/scripts/install-deps.sh" ruby ruby-rspec ruby-minitest ruby-rest-client ruby-activemodel ruby-activesupport ruby-json
[ -f "$REPO/.build/sdks/k2-connect-ruby/lib/k2-connect-ruby.rb" ] || "$REPO/Tests/sdk/setup.sh"
[ -x "$K2MOCK_BIN" ] || { echo "FAILED: no k2mock binary at $K2MOCK_BIN (build it, or set K2MOCK_BIN)" >&2; exit 1; }

# Everything is on loopback: no proxy, whatever the environment says (rest-client honours it).
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY K2MOCK_URL K2MOCK_ADMIN_TOKEN
export no_proxy="127.0.0.1,localhost" NO_PROXY="127.0.0.1,localhost"

work="$(mktemp -d "${TMPDIR:-/tmp}/k2mock-ruby-kit.XXXXXX")"
server=""
cleanup() {
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

results=()
failed=0
step() { # step NAME COMMAND...: runs it, keeps going on failure
  local name="$1"; shift
  echo; echo "== $name"
  if "$@"; then results+=("passed: $name"); else results+=("FAILED: $name"); failed=1; fi
}

step "kit: Minitest (parity cases and more)" \
  bash -c 'cd "$1" && timeout 300 ruby -w test/run.rb' _ "$HERE"
step "kit: RSpec" \
  bash -c 'cd "$1" && timeout 300 rspec' _ "$HERE"

gems="$work/gems"
install_gem() {
  (cd "$HERE" && gem build k2mock.gemspec --output "$work/k2mock.gem") &&
    gem install --local --no-document --install-dir "$gems" "$work/k2mock.gem" &&
    GEM_HOME="$gems" GEM_PATH="$gems:$(ruby -e 'print Gem.path.join(":")')" \
      ruby -e 'require "k2mock"; path = $LOADED_FEATURES.grep(%r{/k2mock\.rb\z}).first
               abort "k2mock loaded from #{path}, not the installed gem" unless path.start_with?(ARGV[0])
               puts "k2mock #{K2Mock::VERSION} from #{path}"' "$gems"
}
step "kit: gem build + gem install" install_gem

example() {
  (cd "$REPO/examples/ruby-app" &&
    GEM_HOME="$gems" GEM_PATH="$gems:$(ruby -e 'print Gem.path.join(":")')" timeout 300 ruby -w test/run.rb "$@")
}
step "examples/ruby-app (the installed gem starts k2mock)" example

# A k2mock that runs already, as a service container would: the example makes its sandboxes there.
"$K2MOCK_BIN" serve --port 0 --log-format none >"$work/serve.out" 2>"$work/serve.err" &
server=$!
for _ in $(seq 1 100); do grep -q "listening" "$work/serve.out" && break; sleep 0.05; done
url="$(sed -n 's/^k2mock listening on //p' "$work/serve.out")"
if [ -n "$url" ]; then
  example_on_url() { K2MOCK_URL="$url" example; }
  step "examples/ruby-app against K2MOCK_URL=$url" example_on_url
  kill -TERM "$server" && wait "$server" || { echo "FAILED: the K2MOCK_URL server did not exit 0" >&2; failed=1; }
  server=""
else
  results+=("FAILED: examples/ruby-app against K2MOCK_URL (k2mock did not start: $(cat "$work/serve.err"))")
  failed=1
fi

echo
printf '%s\n' "${results[@]}"
[ "$failed" -eq 0 ] && echo "ruby kit: all passed" || echo "ruby kit: FAILED"
exit "$failed"
