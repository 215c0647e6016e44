#!/usr/bin/env bash
# Callback delivery with receivers that never answer, on a real clock:
#  1. STUCK (default 100) payments call back to a receiver that accepts and never answers
#     (callbacks.timeout 2 s), then HEALTHY (default 20) to a receiver that answers at once; all
#     are due 1 s after creation. Reports how late the healthy callbacks arrive (median, max).
#  2. SIGTERM while those stuck callbacks hang: how long until the process exits.
#   bench/stuck-receivers.sh [BINARY]      (default .build/release/k2mock)
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${1:-.build/release/k2mock}
STUCK=${STUCK:-100}
HEALTHY=${HEALTHY:-20}
PORT=18085
source bench/lib.sh
SCENARIO=$(write_payment_scenario "    - { after: 0s, stage: Pending }
    - { after: 1s, stage: Transferred }")
printf 'callbacks: { timeout: 2s, retry: { attempts: 1 } }\n' >> "$SCENARIO"
trap 'rm -f "$SCENARIO"; kill $(jobs -p) 2>/dev/null || true' EXIT
"$BIN" serve --port $PORT --scenario "$SCENARIO" --log-format none >/dev/null 2>&1 &
SERVER=$!
until curl -sf -o /dev/null http://127.0.0.1:$PORT/__admin/health; do sleep 0.01; done
READY=$(mktemp -u)
python3 - "$PORT" "$STUCK" "$HEALTHY" "$READY" <<'PY' &
import http.client, http.server, json, os, signal, socket, statistics, sys, threading, time
port, stuck, healthy = (int(a) for a in sys.argv[1:4])
ready = sys.argv[4]

# A receiver that accepts and never answers, and one that answers at once, noting arrivals.
hang = socket.socket(); hang.bind(("127.0.0.1", 0)); hang.listen(1024)
held = []
threading.Thread(target=lambda: [held.append(hang.accept()) for _ in iter(int, 1)], daemon=True).start()
arrivals = []
class Fast(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_POST(self):
        self.rfile.read(int(self.headers["Content-Length"])); arrivals.append(time.monotonic())
        self.send_response(200); self.send_header("Content-Length", "0"); self.end_headers()
    def log_message(self, *args): pass
http.server.ThreadingHTTPServer.request_queue_size = 128   # 20 connections at once must not overflow the backlog
fast = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Fast)
threading.Thread(target=fast.serve_forever, daemon=True).start()

h = {"Authorization": "Bearer t", "Content-Type": "application/json"}
c = http.client.HTTPConnection("127.0.0.1", port)
def pay(url):
    body = json.dumps({"destination_type": "mobile_wallet", "destination_reference": "c7f300c0-f1ef-4151-9bbe-005005aa3747",
                       "amount": {"currency": "KES", "value": 100}, "_links": {"callback_url": url}})
    c.request("POST", "/api/v1/payments", body, h); r = c.getresponse(); r.read(); assert r.status == 201, r.status
for _ in range(stuck): pay("http://127.0.0.1:%d/k2" % hang.getsockname()[1])
created = []
for _ in range(healthy):
    created.append(time.monotonic()); pay("http://127.0.0.1:%d/k2" % fast.server_address[1])
deadline = time.monotonic() + 60
while len(arrivals) < healthy and time.monotonic() < deadline: time.sleep(0.01)
late = sorted((a - (t + 1.0)) * 1000 for a, t in zip(sorted(arrivals), created))
c.request("GET", "/__admin/callbacks"); journal = json.loads(c.getresponse().read())
def ms(text): return int(text[17:19]) * 1000 + int(text[20:23])
fast_url = "http://127.0.0.1:%d/k2" % fast.server_address[1]
waits = [(ms(a["at"]) - ms(a["due"])) % 60000 for d in journal if d["url"] == fast_url for a in d["attempts"] if "due" in a]
took = [a["latency_ms"] for d in journal if d["url"] == fast_url for a in d["attempts"]]
if os.environ.get("DETAIL"): print("journal: sent after due (ms)", sorted(waits), "POST latency (ms)", sorted(took))
print("healthy callbacks with %d receivers hanging: %d of %d arrived; lateness median %.0f ms, max %.0f ms"
      % (stuck, len(arrivals), healthy, statistics.median(late) if late else float("nan"), max(late) if late else float("nan")))

# More hanging callbacks; the shell sends SIGTERM while they hang (this process keeps them).
for _ in range(stuck): pay("http://127.0.0.1:%d/k2" % hang.getsockname()[1])
time.sleep(1.5)
sys.stdout.flush()
open(ready, "w").close()
time.sleep(120)
PY
RECEIVERS=$!
until [ -e "$READY" ]; do sleep 0.05; done
rm -f "$READY"
start=$(date +%s.%N)
kill -TERM "$SERVER"
wait "$SERVER" || true
end=$(date +%s.%N)
python3 -c "print('SIGTERM with $STUCK callbacks hanging: exited after %.2f s' % ($end - $start))"
kill "$RECEIVERS" 2>/dev/null || true
