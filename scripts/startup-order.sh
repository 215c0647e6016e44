#!/usr/bin/env bash
# Rewrites scripts/startup-order.txt: the functions `k2mock serve` runs from exec to its first
# answered GETs, sorted by name (the set is what matters, and sorted it diffs well). The release
# link (Package.swift) places them first and together, so an idle server maps fewer pages of its
# binary: the kernel maps the 64 KB around each page fault, and start-up code spread over 20 MB
# of text faulted in 8.4 MB (docs/performance.md#memory). Names the binary no longer has are
# skipped by the linker, so a stale list costs only memory; rerun this after large changes.
#   scripts/startup-order.sh [BINARY]     (default: .build/release/k2mock)
set -euo pipefail
cd "$(dirname "$0")/.."
binary="${1:-.build/release/k2mock}"
command -v valgrind >/dev/null || scripts/install-deps.sh valgrind
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
# valgrind 3.19 cannot read Swift 6's DWARF; the symbol table is enough.
strip -g -o "$work/k2mock" "$binary"
port=18099
token=0Sn0W6kzNicvoWhDbQcVSKLRUpGjIdlPSEYyrHqrDDoRnQwE7Q
url="http://127.0.0.1:$port/api/v1/payments/c6fda139-2480-4a93-95ed-f72c66b92364"
valgrind --tool=callgrind --demangle=no --callgrind-out-file="$work/trace" \
  "$work/k2mock" serve --port $port >/dev/null 2>&1 &
server=$!
for _ in $(seq 300); do
  curl -sf -o /dev/null -H "Authorization: Bearer $token" "$url" && break
  sleep 0.1
done
curl -sf -o /dev/null -H "Authorization: Bearer $token" "$url"
# A stop's own functions come last in the trace; they are few.
kill -INT $server
wait $server || true
trace="$work/trace"
python3 - "$trace" > scripts/startup-order.txt <<'PY'
import re, sys
names = set()
for line in open(sys.argv[1], errors="replace"):
    m = re.match(r"^c?fn=\(\d+\) (.*)$", line.rstrip("\n"))
    if m and not m.group(1).startswith("0x"):
        names.add(m.group(1))
sys.stdout.write("".join(name + "\n" for name in sorted(names)))
PY
echo "scripts/startup-order.txt: $(wc -l < scripts/startup-order.txt) functions"
