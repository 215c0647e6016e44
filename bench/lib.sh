# Shared by the bench scripts: a scenario on a real clock with one client (token `t`), the docs'
# pay recipient, and the payment timeline given as the first argument (YAML list lines).
# Prints the scenario's path; the caller removes it.
write_payment_scenario() {
  local file
  file=$(mktemp --suffix .yaml)
  cat > "$file" <<YAML
version: 1
clock: { mode: real }
credentials: [{ client_id: c, client_secret: s, api_key: k }]
tokens: [{ value: t, client_id: c }]
fixtures: [$PWD/fixtures/pay_recipients/c7f300c0-f1ef-4151-9bbe-005005aa3747.json]
timelines:
  payment:
$1
YAML
  echo "$file"
}

# wrk_cpu PID CONNECTIONS SECONDS URL [wrk args...]: runs `wrk -t2` against URL with the docs'
# token ($TOKEN) and prints "req/s server-CPU-µs-per-request" for process PID (from /proc: the
# steadier figure on these machines).
wrk_cpu() {
  local pid=$1 connections=$2 seconds=$3 url=$4 before after out requests
  shift 4
  before=$(awk '{print $14 + $15}' "/proc/$pid/stat")
  out=$(wrk -t2 -c"$connections" -d"${seconds}s" -H "Authorization: Bearer $TOKEN" "$@" "$url")
  after=$(awk '{print $14 + $15}' "/proc/$pid/stat")
  requests=$(awk '/requests in/ {print $1}' <<<"$out")
  python3 -c "import sys; r = int(sys.argv[1]); print('%.0f %.3f' % (r / float(sys.argv[4]), (int(sys.argv[3]) - int(sys.argv[2])) * 1e6 / int(sys.argv[5]) / r))" \
    "$requests" "$before" "$after" "$seconds" "$(getconf CLK_TCK)"
}
