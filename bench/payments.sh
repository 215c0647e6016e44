#!/usr/bin/env bash
# Memory per stored payment, and the docs' GET with a full store. One server (release build,
# default scenario, request log off) is measured empty: RSS, then the docs' GET under
# `wrk -t2 -c16` (req/s and server CPU per request, ROUNDS rounds of SECONDS_EACH s). Then
# about PAYMENTS (default 1,000,000) payments are created through the API in wrk bursts, each
# with a callback URL (to a port nobody listens on, on a manual clock so no callback falls due:
# what is kept, not what is sent), RSS is read again, and the GET is measured again.
# Prints bytes of RSS per payment and the GET's ratio to its empty-store self.
# DELIVER=1 measures the other end of a payment's life instead: a real clock, callbacks to a
# plain-C sink (bench/c-baseline.c), RSS once every callback is delivered, and how long that took.
# Usage: bench/payments.sh [BINARY]   (PAYMENTS=…, ROUNDS=…, SECONDS_EACH=…, CALLBACKS=0, DELIVER=1)
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
BIN=${1:-${BIN:-.build/release/k2mock}}
PAYMENTS=${PAYMENTS:-1000000}
ROUNDS=${ROUNDS:-3}
SECONDS_EACH=${SECONDS_EACH:-5}
CALLBACKS=${CALLBACKS:-1}
PORT=18094
TOKEN=0Sn0W6kzNicvoWhDbQcVSKLRUpGjIdlPSEYyrHqrDDoRnQwE7Q
GET=/api/v1/payments/c6fda139-2480-4a93-95ed-f72c66b92364
WORK=$(mktemp -d /tmp/k2mock-bench-payments.XXXXXX)
trap 'kill $(jobs -p) 2>/dev/null || true; wait 2>/dev/null; rm -rf "$WORK"' EXIT

DELIVER=${DELIVER:-0}
SINK=18095
links=''
[ "$CALLBACKS" = 1 ] && links=',"_links":{"callback_url":"http://127.0.0.1:9/k2/payments"}'
if [ "$DELIVER" = 1 ]; then
  mkdir -p bench/out
  [ -x bench/out/c-baseline ] || gcc -O2 -o bench/out/c-baseline bench/c-baseline.c $(pkg-config --cflags --libs libmicrohttpd)
  echo '{}' > "$WORK/sink.json"
  bench/out/c-baseline $SINK "$WORK/sink.json" sink &
  links=",\"_links\":{\"callback_url\":\"http://127.0.0.1:$SINK/k2/payments\"}"
fi
cat >"$WORK/create.lua" <<LUA
wrk.method = "POST"
wrk.headers["Authorization"] = "Bearer $TOKEN"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"destination_type":"mobile_wallet","destination_reference":"c7f300c0-f1ef-4151-9bbe-005005aa3747","amount":{"currency":"KES","value":100},"metadata":{"notes":"bench"}$links}'
created = 0
response = function(status, headers, body) if status == 201 then created = created + 1 end end
LUA

# The default scenario on a manual clock: payments stay Pending and nothing is delivered
# (with DELIVER=1, its real clock: Transferred and called back 5 s after each create).
clock=(--clock manual)
[ "$DELIVER" = 1 ] && clock=()
"$BIN" serve --port $PORT --log-format none "${clock[@]}" >/dev/null 2>&1 &
pid=$!
until curl -sf -o /dev/null "http://127.0.0.1:$PORT/__admin/health"; do sleep 0.02; done
curl -sf -o /dev/null -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT$GET"

rss_kb() { awk '/VmRSS/ {print $2}' "/proc/$pid/status"; }
gets() {  # prints "req/s cpu-µs-per-request" for each round
  for _ in $(seq "$ROUNDS"); do wrk_cpu "$pid" 16 "$SECONDS_EACH" "http://127.0.0.1:$PORT$GET"; done
}

empty_rss=$(rss_kb)
mapfile -t empty < <(gets)

# wrk counts its non-2xx answers; every create answered 201 is a stored payment.
created=0
started_at=$(date +%s.%N)
while [ "$created" -lt "$PAYMENTS" ]; do
  out=$(wrk -t2 -c16 -d2s -s "$WORK/create.lua" "http://127.0.0.1:$PORT/api/v1/payments")
  total=$(awk '/requests in/ {print $1}' <<<"$out")
  bad=$(awk '/Non-2xx/ {print $NF}' <<<"$out")
  created=$((created + total - ${bad:-0}))
done
if [ "$DELIVER" = 1 ]; then
  # Every callback delivered: health's pending count reaches 0 and delivered the created count.
  until python3 -c "import json, sys, urllib.request
d = json.load(urllib.request.urlopen('http://127.0.0.1:$PORT/__admin/health'))['deliveries']
sys.exit(0 if d['pending'] == 0 and d['delivered'] >= $created else 1)"; do sleep 0.5; done
  delivered_at=$(date +%s.%N)
fi
sleep 1
full_rss=$(rss_kb)
mapfile -t full < <(gets)

[ "$DELIVER" = 1 ] && python3 -c "print('every callback delivered %.1f s after the first create' % ($delivered_at - $started_at))"
python3 - "$created" "$empty_rss" "$full_rss" "${empty[@]}" -- "${full[@]}" <<'PY'
import statistics, sys
created, empty_rss, full_rss = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
rest = sys.argv[4:]
split = rest.index("--")
empty = [tuple(map(float, r.split())) for r in rest[:split]]
full = [tuple(map(float, r.split())) for r in rest[split + 1:]]
med = lambda rows, i: statistics.median(r[i] for r in rows)
print("payments stored: %d" % created)
print("RSS: %.1f MB empty, %.1f MB full: %.0f bytes per payment" % (empty_rss / 1024, full_rss / 1024, (full_rss - empty_rss) * 1024 / created))
print("docs' GET, empty store: %8.0f req/s  %6.2f µs CPU/request  (runs: %s)" % (med(empty, 0), med(empty, 1), ", ".join("%.0f" % r[0] for r in empty)))
print("docs' GET, full store:  %8.0f req/s  %6.2f µs CPU/request  (runs: %s)" % (med(full, 0), med(full, 1), ", ".join("%.0f" % r[0] for r in full)))
print("full / empty: req/s %.2f, CPU per request %.2f" % (med(full, 0) / med(empty, 0), med(full, 1) / med(empty, 1)))
PY
