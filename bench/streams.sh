#!/usr/bin/env bash
# Open dashboards must not slow the K2 API: the docs' GET under wrk with no change stream open,
# then with STREAMS (default 20) `GET /__admin/stream` connections open (as many dashboards),
# alternating ROUNDS (default 3) times. Reports the median req/s of each and their ratio, and
# k2mock's CPU time per request (user+sys from /proc, steadier than req/s on a noisy machine).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-.build/release/k2mock}
STREAMS=${STREAMS:-20}
ROUNDS=${ROUNDS:-3}
SECONDS_EACH=${SECONDS_EACH:-5}
PORT=18086
TOKEN=0Sn0W6kzNicvoWhDbQcVSKLRUpGjIdlPSEYyrHqrDDoRnQwE7Q
URL=http://127.0.0.1:$PORT/api/v1/payments/c6fda139-2480-4a93-95ed-f72c66b92364
trap 'kill $(jobs -p) 2>/dev/null || true' EXIT
"$BIN" serve --port $PORT --log-format none >/dev/null 2>&1 &
server=$!
until curl -sf -o /dev/null http://127.0.0.1:$PORT/__admin/health; do sleep 0.05; done

cpu_ticks() { awk '{print $14 + $15}' "/proc/$server/stat"; }

measure() {  # prints "req/s cpu-µs-per-request"
    local before after out requests
    before=$(cpu_ticks)
    out=$(wrk -t2 -c16 -d"${SECONDS_EACH}s" -H "Authorization: Bearer $TOKEN" "$URL")
    after=$(cpu_ticks)
    requests=$(awk '/requests in/ {print $1}' <<<"$out")
    python3 -c "import sys; r=int(sys.argv[1]); print('%.0f %.2f' % (r / ${SECONDS_EACH}, (int(sys.argv[3]) - int(sys.argv[2])) * 1e6 / $(getconf CLK_TCK) / r))" \
        "$requests" "$before" "$after"
}

wrk -t2 -c16 -d2s -H "Authorization: Bearer $TOKEN" "$URL" >/dev/null   # warm-up
idle=() busy=()
for round in $(seq 1 "$ROUNDS"); do
    idle+=("$(measure)")
    pids=()
    for _ in $(seq 1 "$STREAMS"); do curl -sN "http://127.0.0.1:$PORT/__admin/stream" >/dev/null & pids+=($!); done
    sleep 0.5
    busy+=("$(measure)")
    kill "${pids[@]}" 2>/dev/null; wait "${pids[@]}" 2>/dev/null || true
done
python3 - "$STREAMS" "${idle[@]}" -- "${busy[@]}" <<'PY'
import statistics, sys
streams, rest = sys.argv[1], sys.argv[2:]
split = rest.index("--")
idle = [tuple(map(float, x.split())) for x in rest[:split]]
busy = [tuple(map(float, x.split())) for x in rest[split + 1:]]
def median(rows, i): return statistics.median(r[i] for r in rows)
print("docs' GET, 0 streams:  %8.0f req/s  %.2f µs CPU/request   (runs: %s)" % (median(idle, 0), median(idle, 1), ", ".join("%.0f" % r[0] for r in idle)))
print("docs' GET, %s streams: %8.0f req/s  %.2f µs CPU/request   (runs: %s)" % (streams, median(busy, 0), median(busy, 1), ", ".join("%.0f" % r[0] for r in busy)))
print("ratio (%s streams / 0): req/s %.2f, CPU/request %.2f" % (streams, median(busy, 0) / median(idle, 0), median(busy, 1) / median(idle, 1)))
PY
