#!/usr/bin/env bash
# What many sandboxes in one server cost (docs/sandboxes.md):
#  1. making one over HTTP: POST /__admin/sandboxes, CREATES (default 200) in a row on one
#     connection, median and 90th percentile in ms;
#  2. memory: RSS before and after making SANDBOXES (default 1,000) idle sandboxes of the
#     default scenario (real clocks), per sandbox;
#  3. the docs' GET on the server's own sandbox under wrk, with those sandboxes beside it and on a
#     server with none: ROUNDS (default 3) alternated runs of SECONDS_EACH (default 5), medians
#     of req/s and of server CPU per request (from /proc).
# Release build (`swift build -c release`).
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
BIN=${BIN:-.build/release/k2mock}
CREATES=${CREATES:-200}
SANDBOXES=${SANDBOXES:-1000}
ROUNDS=${ROUNDS:-3}
SECONDS_EACH=${SECONDS_EACH:-5}
TOKEN=0Sn0W6kzNicvoWhDbQcVSKLRUpGjIdlPSEYyrHqrDDoRnQwE7Q
GET=/api/v1/payments/c6fda139-2480-4a93-95ed-f72c66b92364
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true' EXIT

serve() {  # serve PORT: starts k2mock, waits until it answers, prints its pid
    "$BIN" serve --port "$1" --log-format none >/dev/null 2>&1 &
    local pid=$!
    until curl -sf -o /dev/null "http://127.0.0.1:$1/__admin/health"; do sleep 0.02; done
    echo "$pid"
}
rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }

many=$(serve 18101)
none=$(serve 18102)
pids=("$many" "$none")
before=$(rss_kb "$many")
python3 - "$CREATES" "$SANDBOXES" <<'PY'
import http.client, statistics, sys, time
creates, total = int(sys.argv[1]), int(sys.argv[2])
connection = http.client.HTTPConnection("127.0.0.1", 18101)
times = []
for i in range(total):
    began = time.perf_counter()
    connection.request("POST", "/__admin/sandboxes", '{"name":"idle-%d"}' % i, {"Content-Type": "application/json"})
    response = connection.getresponse()
    response.read()
    assert response.status == 201, response.status
    if i < creates:
        times.append((time.perf_counter() - began) * 1000)
times.sort()
print("making a sandbox over HTTP: median %.2f ms, p90 %.2f ms (first %d of %d)"
      % (statistics.median(times), times[int(len(times) * 0.9)], len(times), total))
PY
sleep 2
after=$(rss_kb "$many")
python3 -c "import sys; b, a, n = map(int, sys.argv[1:]); print('RSS: %d kB with none, %d kB with %d idle sandboxes: %.1f kB each' % (b, a, n, (a - b) / n))" \
    "$before" "$after" "$SANDBOXES"

measure() {  # measure PID PORT: prints "req/s cpu-µs-per-request"
    wrk_cpu "$1" 32 "$SECONDS_EACH" "http://127.0.0.1:$2$GET"
}
wrk -t2 -c32 -d2s -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:18101$GET" >/dev/null
wrk -t2 -c32 -d2s -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:18102$GET" >/dev/null
with=() without=()
for _ in $(seq 1 "$ROUNDS"); do
    without+=("$(measure "$none" 18102)")
    with+=("$(measure "$many" 18101)")
done
python3 - "$SANDBOXES" "${without[@]}" -- "${with[@]}" <<'PY'
import statistics, sys
n, rest = sys.argv[1], sys.argv[2:]
split = rest.index("--")
none = [tuple(map(float, x.split())) for x in rest[:split]]
many = [tuple(map(float, x.split())) for x in rest[split + 1:]]
m = lambda rows, i: statistics.median(r[i] for r in rows)
print("docs' GET, no other sandbox:     %8.0f req/s  %6.2f µs CPU/request  (runs: %s)" % (m(none, 0), m(none, 1), ", ".join("%.0f" % r[0] for r in none)))
print("docs' GET, %s idle sandboxes: %8.0f req/s  %6.2f µs CPU/request  (runs: %s)" % (n, m(many, 0), m(many, 1), ", ".join("%.0f" % r[0] for r in many)))
print("ratio (with / without): req/s %.2f, CPU/request %.2f" % (m(many, 0) / m(none, 0), m(many, 1) / m(none, 1)))
PY
