#!/usr/bin/env bash
# Measures how long a 90-second payment timeline takes on `--clock real --time-scale 100`
# (expected: about 0.9 s of wall time). Polls the payment every 5 ms from creation until its
# batch is Transferred.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-.build/release/k2mock}
PORT=18082
source bench/lib.sh
SCENARIO=$(write_payment_scenario "    - { after: 0s, stage: Pending }
    - { after: 30s, stage: Processed }
    - { after: 90s, stage: Transferred }")
trap 'rm -f "$SCENARIO"; kill $(jobs -p) 2>/dev/null || true' EXIT
"$BIN" serve --port $PORT --scenario "$SCENARIO" --clock real --time-scale 100 >/dev/null 2>&1 & 
until curl -sf -o /dev/null http://127.0.0.1:$PORT/__admin/health; do :; done
python3 - "$PORT" <<'PY'
import http.client, json, sys, time
port = int(sys.argv[1])
c = http.client.HTTPConnection("127.0.0.1", port)
h = {"Authorization": "Bearer t", "Content-Type": "application/json"}
body = json.dumps({"destination_type": "mobile_wallet", "destination_reference": "c7f300c0-f1ef-4151-9bbe-005005aa3747",
                   "amount": {"currency": "KES", "value": 100}})
t0 = time.monotonic()
c.request("POST", "/api/v1/payments", body, h); r = c.getresponse(); r.read()
path = r.getheader("location").split(str(port), 1)[1]
seen = {}
while True:
    c.request("GET", path, headers=h); doc = json.loads(c.getresponse().read())
    a = doc["data"]["attributes"]
    stage = "Transferred" if a["transfer_batches"] and a["transfer_batches"][0]["status"] == "Transferred" else a["status"]
    seen.setdefault(stage, time.monotonic() - t0)
    if stage == "Transferred": break
    time.sleep(0.005)
print("wall seconds from create to each stage:", {k: round(v, 3) for k, v in seen.items()})
PY
