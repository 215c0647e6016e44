#!/usr/bin/env bash
# `swift test --skip-build "$@"`, and when it fails, a summary as the last lines printed: the
# tests that failed, the tests that started and never ended (a crash takes the whole process
# down mid-run, and its backtrace alone does not name the test), and the fatal errors. CI logs
# are often read from the end.
set -uo pipefail
log=$(mktemp "${TMPDIR:-/tmp}/k2mock-swift-test.XXXXXX")
trap 'rm -f "$log"' EXIT
${SWIFT:-swift} test --skip-build "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
[ "$status" -eq 0 ] && exit 0

python3 - "$log" <<'EOF'
import re, sys
text = open(sys.argv[1], errors="replace").read()
started, ended, failed = [], set(), []
for line in text.splitlines():
    if m := re.search(r"Test (\S+\(.*?\)) started\.", line):
        started.append(m.group(1))
    elif m := re.search(r"Test (\S+\(.*?\))(?: with \d+ test cases?)? (passed|failed|skipped)", line):
        ended.add(m.group(1))
        if m.group(2) == "failed" and m.group(1) not in failed:
            failed.append(m.group(1))
unfinished = [name for name in started if name not in ended]
notes = []
for line in text.splitlines():
    if m := re.search(r"Test (\S+\(.*?\)) recorded an issue.*? at (\S+\.swift:\d+:\d+: .*)$", line):
        notes.append(m.group(1) + " at " + m.group(2))
    elif re.search(r"Fatal error|fatal error|Program crashed|SIGABRT|SIGSEGV|SIGILL|SIGBUS|ERROR: \w+Sanitizer|WARNING: ThreadSanitizer", line):
        notes.append(line.strip())
print("\n== swift test failed: summary ==")
print("failed:", ", ".join(failed) or "none")
print("started and never ended (running when the process died):", ", ".join(unfinished) or "none")
for line in list(dict.fromkeys(notes))[:20]:
    print("  " + line[:400])
EOF
exit "$status"
