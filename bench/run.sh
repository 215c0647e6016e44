#!/usr/bin/env bash
# k2mock's performance figures, one run: start-up to first answer (median of 10), idle RSS,
# and the docs' GET under `wrk -t2 -c32 -d10s` against plain-C libmicrohttpd serving the
# same bytes (rounds alternate; medians and CPU per request reported); then the binary's size
# and, unless PAYMENTS=0, memory per payment at PAYMENTS (default 1,000,000) stored payments
# (bench/payments.sh). Ends with one table. Needs a release build (`make bench` does it).
# These 2-core machines are noisy: compare ratios from one run. Five rounds by default: C's own
# CPU per request moves by a fifth from round to round, and a median of three moved with it.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.build/release/k2mock
OUT=bench/out
ROUNDS=${ROUNDS:-5}
DURATION=${DURATION:-10s}
TOKEN=0Sn0W6kzNicvoWhDbQcVSKLRUpGjIdlPSEYyrHqrDDoRnQwE7Q
PAYMENT=/api/v1/payments/c6fda139-2480-4a93-95ed-f72c66b92364
K2PORT=18080
CPORT=18081
mkdir -p "$OUT"
trap 'kill $(jobs -p) 2>/dev/null || true' EXIT
gcc -O2 -o "$OUT/c-baseline" bench/c-baseline.c $(pkg-config --cflags --libs libmicrohttpd)

now_ns() { date +%s%N; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
cpu_ticks() { awk '{print $14+$15}' "/proc/$1/stat"; }
wait_up() { # URL [PID]: poll until it answers; give up if the server died
  until curl -sf -o /dev/null -H "Authorization: Bearer $TOKEN" "$1"; do
    if [ -n "${2:-}" ] && ! kill -0 "$2" 2>/dev/null; then echo "server for $1 exited" >&2; exit 1; fi
  done
}

echo "== start-up: exec to first answered request (ms), 10 runs"
starts=()
for _ in $(seq 10); do
  t0=$(now_ns)
  "$BIN" serve --port $K2PORT >/dev/null 2>&1 & pid=$!
  wait_up "http://127.0.0.1:$K2PORT$PAYMENT" $pid
  t1=$(now_ns)
  kill $pid; wait $pid 2>/dev/null || true
  starts+=($(( (t1 - t0) / 1000 )))
done
floor=()
echo '{}' > "$OUT/empty.json"
"$OUT/c-baseline" $CPORT "$OUT/empty.json" & cpid=$!
wait_up "http://127.0.0.1:$CPORT/x" $cpid
for _ in $(seq 10); do
  t0=$(now_ns); curl -sf -o /dev/null -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$CPORT/x"; t1=$(now_ns)
  floor+=($(( (t1 - t0) / 1000 )))
done
kill $cpid; wait $cpid 2>/dev/null || true
start_ms=$(printf '%s\n' "${starts[@]}" | median | awk '{printf "%.1f", $1/1000}')
printf 'k2mock start-up median: %s ms (runs: %s µs)\n' "$start_ms" "${starts[*]}"
printf 'one curl against a running server (the floor of this method): %s ms\n' \
  "$(printf '%s\n' "${floor[@]}" | median | awk '{printf "%.1f", $1/1000}')"

echo "== idle RSS"
# From a cold page cache where allowed: a binary the linker just wrote maps fewer pages than one
# read back from disk, as a binary run many times is held (docs/performance.md#memory).
sync; { echo 3 > /proc/sys/vm/drop_caches; } 2>/dev/null || echo "(page cache not dropped: not root)"
"$BIN" serve --port $K2PORT >/dev/null 2>&1 & pid=$!
wait_up "http://127.0.0.1:$K2PORT$PAYMENT" $pid
curl -s -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$K2PORT$PAYMENT" > "$OUT/body.json"
sleep 0.5
idle_mb=$(awk '/VmRSS/ {printf "%.1f", $2/1024}' /proc/$pid/status)
echo "k2mock idle RSS: $idle_mb MB"
kill $pid; wait $pid 2>/dev/null || true
# The C server serves exactly the bytes k2mock served, self link included.
sed "s/127.0.0.1:$K2PORT/127.0.0.1:$CPORT/" "$OUT/body.json" > "$OUT/c-body.json"
echo "body: $(wc -c < "$OUT/body.json") bytes"

echo "== GET throughput: wrk -t2 -c32 -d$DURATION, $ROUNDS rounds, servers alternate"
run_wrk() { # name command port path
  local name=$1 port=$3 path=$4
  $2 & local spid=$!
  wait_up "http://127.0.0.1:$port$path" $spid
  local before; before=$(cpu_ticks $spid)
  local result; result=$(wrk -t2 -c32 -d"$DURATION" -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$port$path")
  local after; after=$(cpu_ticks $spid)
  local rss; rss=$(awk '/VmHWM/ {printf "%.1f", $2/1024}' /proc/$spid/status)
  kill $spid; wait $spid 2>/dev/null || true
  local rps; rps=$(echo "$result" | awk '/Requests\/sec/ {print $2}')
  local total; total=$(echo "$result" | awk '/requests in/ {print $1}')
  local non2xx; non2xx=$(echo "$result" | awk '/Non-2xx/ {print $4}')
  local cpu_us; cpu_us=$(awk -v t=$((after - before)) -v n="$total" -v hz="$(getconf CLK_TCK)" 'BEGIN {printf "%.1f", t / hz * 1e6 / n}')
  echo "$name $rps $cpu_us $rss ${non2xx:-0}" >> "$OUT/wrk.txt"
  echo "  $name: $rps req/s, $cpu_us µs CPU/req, peak RSS $rss MB, non-2xx ${non2xx:-0}"
}
rm -f "$OUT/wrk.txt"
for round in $(seq "$ROUNDS"); do
  echo " round $round"
  run_wrk c "$OUT/c-baseline $CPORT $OUT/c-body.json" $CPORT "$PAYMENT"
  run_wrk k2mock "$BIN serve --port $K2PORT" $K2PORT "$PAYMENT" 2>/dev/null
done
c_rps=$(awk '$1=="c" {print $2}' "$OUT/wrk.txt" | median)
k_rps=$(awk '$1=="k2mock" {print $2}' "$OUT/wrk.txt" | median)
c_cpu=$(awk '$1=="c" {print $3}' "$OUT/wrk.txt" | median)
k_cpu=$(awk '$1=="k2mock" {print $3}' "$OUT/wrk.txt" | median)
echo "== summary (medians)"
echo "C libmicrohttpd: $c_rps req/s, $c_cpu µs CPU/req"
echo "k2mock:          $k_rps req/s, $k_cpu µs CPU/req"
awk -v a="$k_rps" -v b="$c_rps" -v x="$k_cpu" -v y="$c_cpu" 'BEGIN {printf "k2mock/C: %.2f× throughput, %.2f× CPU per request\n", a/b, x/y}'

echo "== binary"
strip -o "$OUT/k2mock-stripped" "$BIN"
bin_mb=$(du -m "$BIN" | cut -f1)
stripped_mb=$(du -m "$OUT/k2mock-stripped" | cut -f1)
echo "k2mock binary: $bin_mb MB, stripped $stripped_mb MB"

payments_row=""
if [ "${PAYMENTS:-1000000}" != 0 ]; then
  echo "== memory per payment (bench/payments.sh)"
  bench/payments.sh "$BIN" | tee "$OUT/payments.txt"
  per=$(awk '/bytes per payment/ {print $(NF-3)}' "$OUT/payments.txt")
  stored=$(awk '/payments stored/ {print $3}' "$OUT/payments.txt")
  get_ratio=$(awk '/full \/ empty/ {print $5}' "$OUT/payments.txt" | tr -d ,)
  payments_row="| memory per stored payment ($stored payments) | $per bytes | – |
| docs' GET req/s, full store / empty store | $get_ratio | – |"
fi

echo "== table"
cat <<TABLE
| measure | k2mock | plain C |
|---|---|---|
| docs' GET, req/s (median of $ROUNDS) | $k_rps ($(awk -v a="$k_rps" -v b="$c_rps" 'BEGIN {printf "%.2f", a/b}')× C) | $c_rps |
| server CPU per request | $k_cpu µs ($(awk -v x="$k_cpu" -v y="$c_cpu" 'BEGIN {printf "%.2f", x/y}')× C) | $c_cpu µs |
| start-up to first answer (median of 10) | $start_ms ms | – |
| idle RSS | $idle_mb MB | – |
| binary (stripped) | $bin_mb MB ($stripped_mb MB) | – |
$payments_row
TABLE
