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
