#!/usr/bin/env bash
# ThreadSanitizer under load: builds k2mock with -sanitize=thread, then runs GETs, creates with
# callbacks to a local sink, real-clock deliveries, an advance and a reset at once, and counts
# the reports. Takes a few minutes (the TSan build). Expect: 0 reports.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --sanitize=thread --scratch-path .build-tsan 2>&1 | tail -1
BIN=.build-tsan/release/k2mock
OUT=bench/out
mkdir -p "$OUT"
gcc -O2 -o "$OUT/c-baseline" bench/c-baseline.c $(pkg-config --cflags --libs libmicrohttpd)
echo '{}' > "$OUT/empty.json"
trap 'kill $(jobs -p) 2>/dev/null || true' EXIT
"$OUT/c-baseline" 18096 "$OUT/empty.json" sink &
TSAN_OPTIONS="halt_on_error=0" "$BIN" serve --port 18095 > "$OUT/tsan.txt" 2>&1 & pid=$!
until curl -sf -o /dev/null http://127.0.0.1:18095/__admin/health; do sleep 0.1; done
T="Authorization: Bearer 0Sn0W6kzNicvoWhDbQcVSKLRUpGjIdlPSEYyrHqrDDoRnQwE7Q"
cat > "$OUT/post.lua" <<'LUA'
wrk.method = "POST"
wrk.body   = '{"destination_type":"mobile_wallet","destination_reference":"c7f300c0-f1ef-4151-9bbe-005005aa3747","amount":{"currency":"KES","value":5},"_links":{"callback_url":"http://127.0.0.1:18096/cb"}}'
wrk.headers["Content-Type"] = "application/json"
LUA
wrk -t1 -c8 -d4s -H "$T" http://127.0.0.1:18095/api/v1/payments/c6fda139-2480-4a93-95ed-f72c66b92364 | grep Requests &
wrk -t1 -c4 -d4s -s "$OUT/post.lua" -H "$T" http://127.0.0.1:18095/api/v1/payments | grep Requests &
sleep 2
curl -s -d '{"seconds":10}' http://127.0.0.1:18095/__admin/clock/advance > /dev/null
wait %3 %4 2>/dev/null || sleep 3
sleep 1
curl -s http://127.0.0.1:18095/__admin/health; echo
curl -s -X POST http://127.0.0.1:18095/__admin/reset > /dev/null
kill -INT $pid; wait $pid || true
echo "ThreadSanitizer reports: $(grep -c 'WARNING: ThreadSanitizer' "$OUT/tsan.txt" || true)"
