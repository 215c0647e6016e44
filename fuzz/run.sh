#!/usr/bin/env bash
# `make fuzz`: builds the libFuzzer targets with AddressSanitizer (.build-fuzz) and runs each for
# FUZZ_SECONDS (default 60) from its seed corpus (fuzz/corpus/TARGET; what a run finds stays in
# .build-fuzz/corpus). A crash, a hang (-timeout) or a leak fails the run and leaves its input in
# .build-fuzz/findings/; reproduce it with `K2MOCK_FUZZ=TARGET .build/debug/k2mock-fuzz FILE`.
# FUZZ_TARGETS picks targets (default: json scenario create http).
set -uo pipefail
cd "$(dirname "$0")/.."
seconds=${FUZZ_SECONDS:-60}
targets=${FUZZ_TARGETS:-json scenario create http}
scratch=.build-fuzz
swift build --product k2mock-fuzz --scratch-path "$scratch" \
    --sanitize=fuzzer --sanitize=address -Xswiftc -sanitize=fuzzer -Xswiftc -parse-as-library -Xswiftc -DFUZZING \
    2>&1 | grep -v "Cannot export local symbol" || exit 1
binary=$(swift build --product k2mock-fuzz --scratch-path "$scratch" --sanitize=fuzzer --sanitize=address \
    -Xswiftc -sanitize=fuzzer -Xswiftc -parse-as-library -Xswiftc -DFUZZING --show-bin-path)/k2mock-fuzz
mkdir -p "$scratch/findings"
# symbolize=0: a crash otherwise hangs in the symbolizer here; the stack's addresses still print.
export ASAN_OPTIONS=symbolize=0:detect_leaks=1:abort_on_error=0
failed=0
for target in $targets; do
    corpus="$scratch/corpus/$target"
    mkdir -p "$corpus"
    cp -n fuzz/corpus/"$target"/* "$corpus"/ 2>/dev/null || true
    log="$scratch/$target.log"
    K2MOCK_FUZZ=$target timeout -s KILL $((seconds + 120)) "$binary" "$corpus" -max_total_time="$seconds" \
        -timeout=10 -rss_limit_mb=3072 -max_len=65536 -print_final_stats=1 \
        -artifact_prefix="$scratch/findings/$target-" >"$log" 2>&1
    status=$?
    runs=$(grep -o '^stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$')
    coverage=$(grep -o 'cov: [0-9]*' "$log" | tail -1)
    if [ "$status" -ne 0 ]; then
        failed=1
        echo "FAIL: $target (exit $status); input in $scratch/findings/, log $log:" >&2
        grep -m1 -A12 "ERROR\|Fatal error\|deadly signal\|timeout" "$log" >&2
    else
        echo "ok: $target: ${runs:-?} inputs in ${seconds} s, ${coverage:-cov: ?} edges, corpus $(ls "$corpus" | wc -l) files"
    fi
done
exit $failed
