#!/usr/bin/env bash
# A soak: REQUESTS (default 1,000,000) from 32 connections mixing the docs' GET, payment creates
# (whose callbacks go to a local sink), clock advances, webhook events and resets (bench/soak.lua),
# on a manual clock. Passes when no answer is a 5xx and k2mock's RSS after a final reset is within
# 10% of a fresh process's after the same warm-up. Not in `make test`: about a minute.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-.build/release/k2mock}
REQUESTS=${REQUESTS:-1000000}
PORT=18087
SINK=18088
OUT=bench/out
mkdir -p "$OUT"
gcc -O2 -o "$OUT/c-baseline" bench/c-baseline.c $(pkg-config --cflags --libs libmicrohttpd)
echo '{}' > "$OUT/empty.json"
trap 'kill $(jobs -p) 2>/dev/null || true' EXIT
"$OUT/c-baseline" $SINK "$OUT/empty.json" sink &

rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }
start() {
    "$BIN" serve --port $PORT --clock manual --log-format none >/dev/null 2>&1 &
    server=$!
    until curl -sf -o /dev/null http://127.0.0.1:$PORT/__admin/health; do sleep 0.05; done
}
warm_up() {
    wrk -t2 -c32 -d2s -s bench/soak.lua http://127.0.0.1:$PORT -- 20000 "http://127.0.0.1:$SINK/k2" >/dev/null
    curl -sf -o /dev/null -X POST http://127.0.0.1:$PORT/__admin/reset
    sleep 1   # callbacks still going out settle
}

start; warm_up
fresh=$(rss_kb $server)
kill -TERM $server; wait $server || true

start; warm_up
# wrk runs for a set time even once every thread has sent its share: give it the time the share
# should take at the rate of a short run, plus a margin.
rate=$(wrk -t2 -c32 -d3s -s bench/soak.lua http://127.0.0.1:$PORT -- 100000000 "http://127.0.0.1:$SINK/k2" | awk '/^Requests\/sec/ {print $2}')
duration=$(python3 -c "import math; print(math.ceil($REQUESTS / $rate * 1.3) + 3)")
curl -sf -o /dev/null -X POST http://127.0.0.1:$PORT/__admin/reset
began=$(date +%s.%N)
out=$(wrk -t2 -c32 -d"${duration}s" -s bench/soak.lua http://127.0.0.1:$PORT -- $((REQUESTS / 2)) "http://127.0.0.1:$SINK/k2")
ended=$(date +%s.%N)
peak=$(rss_kb $server)
curl -sf -o /dev/null -X POST http://127.0.0.1:$PORT/__admin/reset
sleep 1
after=$(rss_kb $server)
answers=$(grep '^answers:' <<<"$out")
echo "$answers (of $REQUESTS asked) within $(python3 -c "print('%.1f' % ($ended - $began))") s of wrk time; the short run's rate: $rate req/s"
echo "RSS: fresh after warm-up ${fresh} kB, at the end of the soak ${peak} kB, after a final reset ${after} kB ($(python3 -c "print('%+.1f%%' % (($after - $fresh) * 100 / $fresh))") against fresh)"
kill -TERM $server; wait $server && echo "exit 0 after SIGTERM"
[[ "$answers" == *" 0 5xx"* ]] || { echo "FAIL: 5xx answers"; exit 1; }
python3 -c "import sys; sys.exit(0 if $after <= $fresh * 1.10 else 1)" || { echo "FAIL: RSS after reset over 10% above fresh"; exit 1; }
