#!/usr/bin/env bash
# Runs the PHP SDK suite (kopokopo/k2-connect-php, 1.4 line) against the k2mock binary.
#   K2MOCK_BIN=/path/to/k2mock Tests/sdk/php/run.sh [NAME-FILTER]
# The SDK comes from $REPO/.build/sdks/k2-connect-php (Tests/sdk/setup.sh unpacks it); Guzzle
# and its dependencies from Debian's php-guzzlehttp-guzzle. No network is needed.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$here/../../.." && pwd)"
export K2MOCK_BIN="${K2MOCK_BIN:-$REPO/.build/debug/k2mock}"
export K2_PHP_SDK="$REPO/.build/sdks/k2-connect-php"
missing=()
command -v php >/dev/null || missing+=("php (php-cli)")
[ -f /usr/share/php/GuzzleHttp/autoload.php ] || missing+=("/usr/share/php/GuzzleHttp/autoload.php (php-guzzlehttp-guzzle)")
php -r 'exit(extension_loaded("curl") ? 0 : 1);' 2>/dev/null || missing+=("php's curl extension (php-curl)")
[ -d "$K2_PHP_SDK/src" ] || missing+=("$K2_PHP_SDK (run Tests/sdk/setup.sh)")
[ -x "$K2MOCK_BIN" ] || missing+=("the k2mock binary at $K2MOCK_BIN (set K2MOCK_BIN or build it)")
if [ ${#missing[@]} -gt 0 ]; then
  printf 'php sdk suite: missing %s\n' "${missing[@]}" >&2
  exit 2
fi
# -d: the suite's own error handler decides; show everything, keep assertions on.
status=0
timeout 110 php -d display_errors=stderr -d error_reporting=-1 -d zend.assertions=1 \
  "$here/suite.php" "$@" || status=$?
if [ "$status" -ne 0 ] && [ "$status" -ne 1 ]; then
  echo "php sdk suite (kopokopo/k2-connect-php): aborted (exit $status$([ "$status" -eq 124 ] && echo ', timed out after 110 s'))" >&2
fi
exit "$status"
