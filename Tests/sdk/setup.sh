#!/usr/bin/env bash
# Prepares the official Node, PHP and Ruby SDKs for their suites (Tests/sdk/{node,php,ruby}):
# installs their runtimes and dependencies from Debian's packages, and unpacks the SDKs into
# .build/sdks/. Source: the pinned archives in ../shared/sdks/ when that folder is there (as in
# CI); otherwise the same versions from npm, Packagist and RubyGems (needs those registries).
# Prints which source it used.
set -euo pipefail
cd "$(dirname "$0")/../.."
scripts/install-deps.sh nodejs node-axios node-lodash \
  php-cli php-guzzlehttp-guzzle php-curl php-mbstring \
  ruby ruby-rest-client ruby-activemodel ruby-activesupport ruby-json
out=.build/sdks
archives=../shared/sdks
mkdir -p "$out"
if [ -d "$archives" ]; then
  for archive in k2-connect-node k2-connect-php k2-connect-ruby validate.js; do
    if [ ! -d "$out/$archive" ] || [ "$archives/$archive.tar.gz" -nt "$out/$archive" ]; then
      rm -rf "${out:?}/$archive"
      tar -xzf "$archives/$archive.tar.gz" -C "$out"
    fi
  done
  echo "SDKs: the pinned archives in $archives (node 2.0.0, php 1.4 line, ruby 4.0.0)" >&2
else
  # A user's own clone, online: the same versions from each ecosystem's registry.
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  if [ ! -d "$out/k2-connect-node" ]; then
    (cd "$work" && npm pack k2-connect-node@2.0.0 validate.js@0.13.1 >/dev/null)
    mkdir -p "$out/k2-connect-node" "$out/validate.js"
    tar -xzf "$work"/k2-connect-node-2.0.0.tgz -C "$out/k2-connect-node" --strip-components=1
    tar -xzf "$work"/validate.js-0.13.1.tgz -C "$out/validate.js" --strip-components=1
  fi
  if [ ! -d "$out/k2-connect-php" ]; then
    curl -fsSL https://codeload.github.com/kopokopo/k2-connect-php/tar.gz/880a7056d70eafdc77f57b90548e31abf3abea73 \
      | tar -xz -C "$work" && mv "$work"/k2-connect-php-* "$out/k2-connect-php"
  fi
  if [ ! -d "$out/k2-connect-ruby" ]; then
    (cd "$work" && gem fetch k2-connect-ruby -v 4.0.0 >/dev/null && gem unpack k2-connect-ruby-4.0.0.gem >/dev/null)
    mv "$work"/k2-connect-ruby-4.0.0 "$out/k2-connect-ruby"
  fi
  echo "SDKs: fetched from npm, GitHub (Packagist's source) and RubyGems" >&2
fi
# Node resolves `require('k2-connect-node')` and its validate.js from here.
mkdir -p "$out/node_modules"
ln -sfn ../k2-connect-node "$out/node_modules/k2-connect-node"
ln -sfn ../validate.js "$out/node_modules/validate.js"
