#!/usr/bin/env bash
# What --data-dir costs. Three figures, each k2mock against itself with and without a data dir:
#  1. the docs' GET under wrk (req/s, and k2mock's CPU per request from /proc, steadier);
#  2. creates (POST /api/v1/payments) under wrk: each is answered only once its command is
#     committed, so this is the group commit's throughput;
#  3. start-up with exactly PAYMENTS (default 100,000) stored payments: exec to the first answered
#     request, median of STARTS (default 5) starts, and the replay time k2mock reports.
# Runs alternate ROUNDS (default 3) times; medians are quoted. Release build (`swift build -c release`).
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
BIN=${BIN:-.build/release/k2mock}
ROUNDS=${ROUNDS:-3}
SECONDS_EACH=${SECONDS_EACH:-5}
PAYMENTS=${PAYMENTS:-100000}
STARTS=${STARTS:-5}
TOKEN=0Sn0W6kzNicvoWhDbQcVSKLRUpGjIdlPSEYyrHqrDDoRnQwE7Q
GET=/api/v1/payments/c6fda139-2480-4a93-95ed-f72c66b92364
WORK=$(mktemp -d /tmp/k2mock-bench-data-dir.XXXXXX)
trap 'kill $(jobs -p) 2>/dev/null || true; wait 2>/dev/null; rm -rf "$WORK"' EXIT
cat >"$WORK/create.lua" <<LUA
wrk.method = "POST"
wrk.headers["Authorization"] = "Bearer $TOKEN"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"destination_type":"mobile_wallet","destination_reference":"c7f300c0-f1ef-4151-9bbe-005005aa3747","amount":{"currency":"KES","value":100},"metadata":{"notes":"bench"}}'
LUA

serve() {  # serve PORT [args...]: starts k2mock, waits until it answers, prints its pid
    local port=$1; shift
    "$BIN" serve --port "$port" --log-format none "$@" >/dev/null 2>&1 &
    local pid=$!
    until curl -sf -o /dev/null "http://127.0.0.1:$port/__admin/health"; do sleep 0.02; done
    echo "$pid"
}

measure() {  # measure PID PORT PATH [wrk args...]: prints "req/s cpu-µs-per-request"
    local pid=$1 port=$2 path=$3
    shift 3
    wrk_cpu "$pid" 16 "$SECONDS_EACH" "http://127.0.0.1:$port$path" "$@"
}

report() {  # report NAME without... -- with...
    python3 - "$@" <<'PY'
import statistics, sys
name, rest = sys.argv[1], sys.argv[2:]
split = rest.index("--")
plain = [tuple(map(float, x.split())) for x in rest[:split]]
kept = [tuple(map(float, x.split())) for x in rest[split + 1:]]
def median(rows, i): return statistics.median(r[i] for r in rows)
print("%s, no data dir: %8.0f req/s  %6.2f µs CPU/request   (runs: %s)" % (name, median(plain, 0), median(plain, 1), ", ".join("%.0f" % r[0] for r in plain)))
print("%s, data dir:    %8.0f req/s  %6.2f µs CPU/request   (runs: %s)" % (name, median(kept, 0), median(kept, 1), ", ".join("%.0f" % r[0] for r in kept)))
print("%s, ratio (data dir / none): req/s %.2f, CPU/request %.2f" % (name, median(kept, 0) / median(plain, 0), median(kept, 1) / median(plain, 1)))
PY
}

# 1 and 2: two servers side by side, measured in turn.
plain=$(serve 18091)
kept=$(serve 18092 --data-dir "$WORK/alongside")
wrk -t2 -c16 -d2s -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:18091$GET" >/dev/null
wrk -t2 -c16 -d2s -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:18092$GET" >/dev/null
get_plain=() get_kept=() create_plain=() create_kept=()
for _ in $(seq 1 "$ROUNDS"); do
    get_plain+=("$(measure "$plain" 18091 "$GET")")
    get_kept+=("$(measure "$kept" 18092 "$GET")")
done
for _ in $(seq 1 "$ROUNDS"); do
    create_plain+=("$(measure "$plain" 18091 /api/v1/payments -s "$WORK/create.lua")")
    create_kept+=("$(measure "$kept" 18092 /api/v1/payments -s "$WORK/create.lua")")
done
kill "$plain" "$kept"; wait "$plain" "$kept" 2>/dev/null || true
report "docs' GET" "${get_plain[@]}" -- "${get_kept[@]}"
report "create   " "${create_plain[@]}" -- "${create_kept[@]}"

# 3: fill a data dir with PAYMENTS payments, then time starts on it.
filler=$(serve 18093 --data-dir "$WORK/full")
count() { python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(\"select count(*) from commands where name='create'\").fetchone()[0])" "$WORK/full/k2mock.sqlite"; }
# wrk in one-second bursts while far from the count, then the exact rest one by one.
while [ "$(count)" -lt "$((PAYMENTS - 20000))" ]; do
    wrk -t2 -c16 -d1s -s "$WORK/create.lua" "http://127.0.0.1:18093/api/v1/payments" >/dev/null
done
python3 - "$((PAYMENTS - $(count)))" "$TOKEN" <<'PY'
import http.client, sys
rest, token = int(sys.argv[1]), sys.argv[2]
body = '{"destination_type":"mobile_wallet","destination_reference":"c7f300c0-f1ef-4151-9bbe-005005aa3747","amount":{"currency":"KES","value":100},"metadata":{"notes":"bench"}}'
connection = http.client.HTTPConnection("127.0.0.1", 18093)
for _ in range(max(0, rest)):
    connection.request("POST", "/api/v1/payments", body, {"Authorization": "Bearer " + token, "Content-Type": "application/json"})
    response = connection.getresponse()
    response.read()
    assert response.status == 201, response.status
PY
kill "$filler"; wait "$filler" 2>/dev/null || true
stored=$(count)
size=$(du -k "$WORK/full/k2mock.sqlite" | cut -f1)
python3 - "$BIN" "$WORK/full" "$STARTS" "$stored" "$size" <<'PY'
import re, socket, statistics, subprocess, sys, time
binary, directory, starts, stored, size = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5]
walls, replays = [], []
for _ in range(starts):
    began = time.monotonic()
    process = subprocess.Popen([binary, "serve", "--port", "18094", "--log-format", "none", "--data-dir", directory],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    while True:
        try:
            with socket.create_connection(("127.0.0.1", 18094), timeout=1) as s:
                s.sendall(b"GET /__admin/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                if s.recv(12).startswith(b"HTTP/1.1 200"):
                    break
        except OSError:
            time.sleep(0.002)
    walls.append((time.monotonic() - began) * 1000)
    process.terminate()
    _, err = process.communicate()
    replays += [float(m) for m in re.findall(r"commands from .* in (\d+) ms", err)]
print("start-up with %s stored payments (%s kB on disk): %.0f ms to the first answer (median of %d: %s); replay %s ms"
      % (stored, size, statistics.median(walls), starts, ", ".join("%.0f" % w for w in walls),
         ", ".join("%.0f" % r for r in replays)))
PY
