#!/usr/bin/env bash
# `make dist`: a relocatable tarball, k2mock-VERSION-linux-ARCH.tar.gz, that runs on a Debian
# machine without the Swift toolchain or any -dev package. The binary (Swift's runtime linked in
# statically) goes in bin/, every shared library it needs beyond glibc's own in lib/ (libcurl,
# which k2mock loads when it first sends a callback, and all that libcurl needs, included), each
# found through a RUNPATH of $ORIGIN. Also in the tarball: the scenarios, their fixtures and the
# CI script from examples/ci. Needs a release build (.build/release/k2mock) and patchelf.
set -euo pipefail
cd "$(dirname "$0")/.."
binary=.build/release/k2mock
version=$("$binary" --version)
[ "$version" = "$(cat VERSION)" ] || { echo "k2mock --version says $version, VERSION says $(cat VERSION)" >&2; exit 1; }
name="k2mock-$version-linux-$(uname -m)"
stage=".build/dist/$name"
rm -rf "$stage" && mkdir -p "$stage/bin" "$stage/lib" "$stage/share/k2mock"
cp "$binary" "$stage/bin/k2mock"
strip "$stage/bin/k2mock"

# glibc's libraries belong to the system they run on; everything else travels.
system='^(linux-vdso|libc|libm|libpthread|libdl|librt|libresolv|libutil|libanl|libnsl|ld-linux.*)\.so'
curl=$(ldconfig -p | awk '/libcurl\.so\.4 .*x86-64|libcurl\.so\.4 .*aarch64/ {print $NF; exit}')
[ -n "$curl" ] || { echo "libcurl.so.4 not found (install libcurl4)" >&2; exit 1; }
{ ldd "$binary"; echo "	libcurl.so.4 => $curl (0x0)"; ldd "$curl"; } |
    awk '$2 == "=>" && $3 ~ /^\// {print $1, $3}' | sort -u |
    while read -r soname path; do
        [[ "$soname" =~ $system ]] && continue
        cp -L "$path" "$stage/lib/$soname"
    done
chmod u+w "$stage"/lib/*
patchelf --set-rpath '$ORIGIN/../lib' "$stage/bin/k2mock"
for library in "$stage"/lib/*; do patchelf --set-rpath '$ORIGIN' "$library"; done

cp -r scenarios fixtures "$stage/share/k2mock/"
cp examples/ci/run-tests-against-k2mock.sh "$stage/bin/"
cat > "$stage/README" <<TEXT
k2mock $version: an offline, deterministic fake of the Kopo Kopo K2 Connect API.

  bin/k2mock serve                       the default scenario on http://127.0.0.1:8080
  bin/k2mock serve --scenario share/k2mock/scenarios/happy-path.yaml
  bin/run-tests-against-k2mock.sh ...    the CI steps (see its header)

Runs on Debian 12 (bookworm) or newer, x86_64, with nothing installed: the libraries it needs
are in lib/. Callbacks to https:// URLs need the system's CA certificates (ca-certificates).
TEXT
mkdir -p dist && tar -C .build/dist -czf "dist/$name.tar.gz" "$name"
echo "dist/$name.tar.gz: $(du -h "dist/$name.tar.gz" | cut -f1), $(ls "$stage/lib" | wc -l) libraries"
