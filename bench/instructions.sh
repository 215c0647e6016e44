#!/usr/bin/env bash
# Instructions per docs' GET in-process, counted by callgrind: repeatable for the same binary
# whatever else the machine is doing, so two builds compare where wall time is too noisy.
# Runs bench/inprocess at two sizes and divides the difference, so start-up cancels out.
#   bench/instructions.sh [BINARY]     (default: a fresh release build)
set -euo pipefail
cd "$(dirname "$0")/.."
binary="${1:-}"
if [ -z "$binary" ]; then
  swift build -c release --product k2mock-inprocess-bench 2>&1 | tail -1
  binary=.build/release/k2mock-inprocess-bench
fi
command -v valgrind >/dev/null || scripts/install-deps.sh valgrind
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# valgrind 3.19 cannot read Swift 6's DWARF: count a stripped copy.
strip -o "$work/bench" "$binary"
count() {
  valgrind --tool=callgrind --callgrind-out-file="$work/out" "$work/bench" "$1" >/dev/null 2>"$work/log"
  grep -o 'Collected : [0-9]*' "$work/log" | awk '{print $3}'
}
small=$(count 20000)
large=$(count 60000)
# Three rounds each: 3 x (60000 - 20000) GETs between the two runs.
echo "$(( (large - small) / 120000 )) instructions per GET"
