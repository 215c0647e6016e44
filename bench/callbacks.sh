#!/usr/bin/env bash
# Callback delivery on a real clock: N payments (default 1000), each calling back to a fast
# local sink (plain-C libmicrohttpd) when it reaches Transferred an hour after creation; one
# `clock/advance` of an hour then makes all N due at the same instant.
# Reports whether all were delivered, the delivery rate, and GET latency while they go out
# compared with the same GETs on an idle server.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-.build/release/k2mock}
N=${N:-1000}
PORT=18083
SINK=18084
OUT=bench/out
mkdir -p "$OUT"
gcc -O2 -o "$OUT/c-baseline" bench/c-baseline.c $(pkg-config --cflags --libs libmicrohttpd)
source bench/lib.sh
SCENARIO=$(write_payment_scenario "    - { after: 0s, stage: Pending }
    - { after: 1h, stage: Transferred }")
trap 'rm -f "$SCENARIO"; kill $(jobs -p) 2>/dev/null || true' EXIT
echo '{}' > "$OUT/empty.json"
"$OUT/c-baseline" $SINK "$OUT/empty.json" sink &
"$BIN" serve --port $PORT --scenario "$SCENARIO" >/dev/null 2>&1 &
until curl -sf -o /dev/null http://127.0.0.1:$PORT/__admin/health; do :; done
python3 - "$PORT" "$SINK" "$N" <<'PY'
import http.client, json, statistics, sys, threading, time
port, sink, n = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
h = {"Authorization": "Bearer t", "Content-Type": "application/json"}
def connection(): return http.client.HTTPConnection("127.0.0.1", port)

def get_latencies(seconds):
    c, out, end = connection(), [], time.monotonic() + seconds
    while time.monotonic() < end:
        t = time.monotonic(); c.request("GET", "/api/v1/pay_recipients/c7f300c0-f1ef-4151-9bbe-005005aa3747", headers=h)
        c.getresponse().read(); out.append((time.monotonic() - t) * 1000)
    return out

idle = get_latencies(1.0)
c = connection()
body = json.dumps({"destination_type": "mobile_wallet", "destination_reference": "c7f300c0-f1ef-4151-9bbe-005005aa3747",
                   "amount": {"currency": "KES", "value": 100}, "_links": {"callback_url": "http://127.0.0.1:%d/k2" % sink}})
t0 = time.monotonic()
for _ in range(n):
    c.request("POST", "/api/v1/payments", body, h); r = c.getresponse(); r.read(); assert r.status == 201
created = time.monotonic()
print("created %d payments in %.3f s" % (n, created - t0))
busy = []
watcher = threading.Thread(target=lambda: busy.extend(get_latencies(1.0)))
watcher.start()
time.sleep(0.1)
due = time.monotonic()
c.request("POST", "/__admin/clock/advance", json.dumps({"seconds": 3600})); c.getresponse().read()
while True:
    c.request("GET", "/__admin/health"); counts = json.loads(c.getresponse().read())["deliveries"]
    if counts["delivered"] + counts["failed"] == n: break
    time.sleep(0.002)
finished = time.monotonic()
watcher.join()
c.request("GET", "/__admin/callbacks"); journal = json.loads(c.getresponse().read())
delivered = sum(1 for d in journal if d["outcome"] == "delivered")
attempts = [a for d in journal for a in d["attempts"]]
print("delivered %d of %d (attempts: %d); all done %.3f s after they fell due" % (delivered, n, len(attempts), finished - due))
print("delivery rate: %.0f callbacks/s" % (n / max(finished - due, 1e-9)))
print("callback latency per POST (sink): median %.2f ms, max %.2f ms" % (
    statistics.median(a["latency_ms"] for a in attempts), max(a["latency_ms"] for a in attempts)))
def summary(xs): xs = sorted(xs); return "median %.3f ms, p99 %.3f ms (%d GETs)" % (statistics.median(xs), xs[int(len(xs) * .99)], len(xs))
time.sleep(0.1)
print("GET latency idle:            " + summary(idle))
print("GET latency while delivering: " + summary(busy) + " (the 1 s window includes the burst)")
PY
