# The two commands a newcomer needs: `make run` and `make test`. Both install missing system
# packages first (Debian/Ubuntu, via sudo when not root).
SWIFT       ?= swift
HOST        ?= 127.0.0.1
PORT        ?= 8080
ARGS        ?=
RUN_DEPS     = libmicrohttpd-dev libcurl4-openssl-dev pkg-config
TEST_DEPS    = $(RUN_DEPS)
BENCH_DEPS   = $(RUN_DEPS) wrk gcc curl

.PHONY: run test build release bench deps clean

## Build a release binary and serve the default scenario on http://$(HOST):$(PORT).
run: release
	.build/release/k2mock serve --host $(HOST) --port $(PORT) $(ARGS)

## Build everything and run every test (unit, in-process API, end-to-end with the real binary).
test:
	@scripts/install-deps.sh $(TEST_DEPS)
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

release:
	@scripts/install-deps.sh $(RUN_DEPS)
	$(SWIFT) build -c release --static-swift-stdlib

build:
	@scripts/install-deps.sh $(RUN_DEPS)
	$(SWIFT) build

## Start-up time, idle memory and GET throughput against plain-C libmicrohttpd (bench/README.md).
bench: release
	@scripts/install-deps.sh $(BENCH_DEPS)
	bench/run.sh

clean:
	rm -rf .build
