#!/usr/bin/env bash
# The docs' GET in-process (bench/inprocess/main.swift): nanoseconds per request for the K2
# work alone, one thread pinned to one core; then a created payment's GET with its body kept
# and rendered on each read. Quote the median round.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product k2mock-inprocess-bench 2>&1 | tail -1
taskset -c 1 .build/release/k2mock-inprocess-bench "${1:-1000000}" created
