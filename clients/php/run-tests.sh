#!/usr/bin/env bash
# The PHP kit's tests, then examples/php-app's, against the k2mock binary; exits non-zero if any fail.
#   K2MOCK_BIN=/path/to/k2mock clients/php/run-tests.sh
# Needs php-cli (8.1+), phpunit (9.6), composer, php-guzzlehttp-guzzle and php-curl from Debian
# (installed when missing), and the official PHP SDK in .build/sdks (Tests/sdk/setup.sh). No network:
# the kit has no dependency, and its Composer install below uses a path repository only.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$here/../.." && pwd)"
export K2MOCK_BIN="${K2MOCK_BIN:-$REPO/.build/debug/k2mock}"
"$REPO/scripts/install-deps.sh" php-cli phpunit composer php-guzzlehttp-guzzle php-curl php-mbstring
missing=()
[ -x "$K2MOCK_BIN" ] || missing+=("the k2mock binary at $K2MOCK_BIN (set K2MOCK_BIN or build it)")
[ -d "${K2_PHP_SDK:-$REPO/.build/sdks/k2-connect-php}/src" ] || missing+=("the official PHP SDK in .build/sdks (run Tests/sdk/setup.sh)")
if [ ${#missing[@]} -gt 0 ]; then
  printf 'php kit tests: missing %s\n' "${missing[@]}" >&2
  exit 2
fi
phpunit=(php -d zend.assertions=1 -d error_reporting=-1 /usr/bin/phpunit)
status=0
step() {
  echo "== $1" >&2
  shift
  "$@" || { echo "FAILED: $*" >&2; status=1; }
}

step "the kit's suite (clients/php/tests: parity cases and the rest)" \
  timeout 300 "${phpunit[@]}" -c "$here/phpunit.xml"
step "examples/php-app" \
  bash -c 'cd "$1/examples/php-app" && exec timeout 300 "${@:2}"' _ "$REPO" "${phpunit[@]}"

# The install the README shows: a project requiring k2mock/k2mock through a Composer path repository.
install_check() (
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  composer validate --no-check-publish --quiet -d "$here" || return 1
  cat >"$work/composer.json" <<JSON
{
    "require-dev": {"k2mock/k2mock": "0.1.0"},
    "repositories": [{"type": "path", "url": "$here"}, {"packagist.org": false}]
}
JSON
  COMPOSER_HOME="$work/.composer" composer install -d "$work" --no-interaction --no-progress --quiet || return 1
  (cd "$work" && php -d error_reporting=-1 -r '
    set_error_handler(function ($no, $message) { throw new ErrorException($message, 0, $no); });
    require "vendor/autoload.php";
    $k2 = K2Mock\K2Mock::start(["clock" => "manual"]);
    $ok = $k2->clock()["mode"] === "manual" && K2Mock\K2Mock::VERSION === "0.1.0";
    exit($ok && $k2->stop() === 0 ? 0 : 1);')
)
step "composer: validate, and install through a path repository (offline)" install_check

[ "$status" -eq 0 ] && echo "php kit tests: all passed" >&2
exit "$status"
