# The two commands a newcomer needs: `make run` and `make test`. Both install missing system
# packages first (Debian/Ubuntu, via sudo when not root).
SWIFT       ?= swift
HOST        ?= 127.0.0.1
PORT        ?= 8080
ARGS        ?=
PYTHON      ?= python3
VENV        ?= .venv
RUN_DEPS     = libmicrohttpd-dev libcurl4-openssl-dev libsqlite3-dev pkg-config
TEST_DEPS    = $(RUN_DEPS)
BENCH_DEPS   = $(RUN_DEPS) wrk gcc curl

.PHONY: run test test-tsan sdk-test example-test dashboard-test contract-test schema-test fuzz build generate release dist image bench clean

## Build a release binary and serve the default scenario on http://$(HOST):$(PORT).
run: release
	.build/release/k2mock serve --host $(HOST) --port $(PORT) $(ARGS)

## Build everything and run every test: Swift (unit, in-process API, end-to-end with the real
## binary), the Swift suite again under ThreadSanitizer, then the four official SDKs (Python,
## Node, PHP, Ruby) against the real binary, the four test kits, the examples, the dashboard in a browser, the
## OpenAPI contract under schemathesis, the scenario schema against `k2mock validate`, and a short fuzz of each parser.
test:
	@scripts/install-deps.sh $(TEST_DEPS)
	$(SWIFT) build --build-tests
	SWIFT=$(SWIFT) scripts/swift-test.sh
	$(MAKE) test-tsan
	$(MAKE) sdk-test
	$(MAKE) dashboard-test
	$(MAKE) contract-test
	$(MAKE) schema-test
	$(MAKE) fuzz FUZZ_SECONDS=10

## The Swift suite built with ThreadSanitizer in its own build directory: a data race the
## tests reach fails the run (TSan exits non-zero after a report).
test-tsan:
	$(SWIFT) build --build-tests --sanitize=thread --scratch-path .build-tsan
	SWIFT=$(SWIFT) scripts/swift-test.sh --sanitize=thread --scratch-path .build-tsan

## The official SDKs against the real binary (needs a debug build): Python (k2-connect, in a
## local virtualenv), then Node, PHP and Ruby (runtimes from Debian's packages, SDKs from
## ../shared/sdks or their registries: Tests/sdk/setup.sh), each started through its
## language's test kit; and each kit's own suite (clients/parity.json's cases and more), its
## example app and its path install.
sdk-test: $(VENV)/.installed
	K2MOCK_BIN=$(CURDIR)/.build/debug/k2mock $(VENV)/bin/python -m pytest -q Tests/sdk/python
	K2MOCK_BIN=$(CURDIR)/.build/debug/k2mock $(VENV)/bin/python -m pytest -q -p no:cacheprovider clients/python/tests
	Tests/sdk/setup.sh
	K2MOCK_BIN=$(CURDIR)/.build/debug/k2mock Tests/sdk/node/run.sh
	K2MOCK_BIN=$(CURDIR)/.build/debug/k2mock clients/node/run-tests.sh
	K2MOCK_BIN=$(CURDIR)/.build/debug/k2mock Tests/sdk/php/run.sh
	K2MOCK_BIN=$(CURDIR)/.build/debug/k2mock clients/php/run-tests.sh
	K2MOCK_BIN=$(CURDIR)/.build/debug/k2mock Tests/sdk/ruby/run.sh
	K2MOCK_BIN=$(CURDIR)/.build/debug/k2mock clients/ruby/run-tests.sh
	$(MAKE) example-test

## The examples as a user runs them: examples/python-app's tests with k2mock's Python package
## pip-installed into a fresh virtualenv, alone and under pytest-xdist (-n 4, one shared server,
## a sandbox per test), and the CI recipes' script (examples/ci) around an app's test run, with
## `k2mock verify --junit` after it, and parallel workers sharing one server.
example-test:
	rm -rf .build/example-venv
	$(PYTHON) -m venv .build/example-venv
	.build/example-venv/bin/pip install -q pytest pytest-xdist ./clients/python
	cd examples/python-app && K2MOCK_BIN=$(CURDIR)/.build/debug/k2mock $(CURDIR)/.build/example-venv/bin/pytest -q -p no:cacheprovider
	cd examples/python-app && K2MOCK_BIN=$(CURDIR)/.build/debug/k2mock $(CURDIR)/.build/example-venv/bin/pytest -q -p no:cacheprovider -n 4
	PYTHON=$(CURDIR)/.build/example-venv/bin/python K2MOCK_BIN=.build/debug/k2mock Tests/recipes/run.sh

# The SDK suite's virtualenv: k2-connect, pytest and k2mock's own Python package (clients/python).
$(VENV)/.installed: Tests/sdk/python/requirements.txt $(wildcard clients/python/pyproject.toml clients/python/src/k2mock/*.py)
	@$(PYTHON) -c 'import venv, ensurepip' 2>/dev/null || scripts/install-deps.sh python3-venv python3-pip
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q -r Tests/sdk/python/requirements.txt ./clients/python
	touch $@

release:
	@scripts/install-deps.sh $(RUN_DEPS)
	$(SWIFT) build -c release --static-swift-stdlib

## The dashboard in headless Chromium driven by Selenium (Tests/dashboard): live updates without
## a reload, the admin token, the stream's latency; a screenshot lands in .build/artifacts/.
dashboard-test: $(VENV)/.installed
	@scripts/install-deps.sh chromium chromium-driver
	$(VENV)/bin/pip install -q -r Tests/dashboard/requirements.txt
	K2MOCK_BIN=$(CURDIR)/.build/debug/k2mock $(VENV)/bin/python -m pytest -q -s -p no:cacheprovider Tests/dashboard

## The OpenAPI document (openapi/k2mock.json) checked by schemathesis against the real binary:
## every operation, 100 generated cases each, then stateful runs along its links.
contract-test:
	@$(PYTHON) -c 'import venv, ensurepip' 2>/dev/null || scripts/install-deps.sh python3-venv python3-pip
	K2MOCK_BIN=$(CURDIR)/.build/debug/k2mock PYTHON=$(PYTHON) Tests/contract/run.sh

## The scenario JSON Schema (`k2mock schema`) with Python's jsonschema: a valid 2020-12 schema, the
## same bytes as schemas/scenario.schema.json and the served copy, and the same verdict as
## `k2mock validate` on every shipped scenario and a table of wrong ones (Tests/schema).
schema-test: $(VENV)/.installed
	$(VENV)/bin/pip install -q -r Tests/schema/requirements.txt
	K2MOCK_BIN=$(CURDIR)/.build/debug/k2mock $(VENV)/bin/python -m pytest -q -p no:cacheprovider Tests/schema

## libFuzzer with AddressSanitizer on the JSON parser, the scenario loader, the create-request
## readers and the request pipeline, FUZZ_SECONDS each (fuzz/README.md).
FUZZ_SECONDS ?= 60
fuzz:
	@scripts/install-deps.sh $(TEST_DEPS)
	FUZZ_SECONDS=$(FUZZ_SECONDS) fuzz/run.sh

## dist/k2mock-VERSION-linux-ARCH.tar.gz: the binary with the libraries it needs, for machines
## without Swift (scripts/dist.sh).
dist: release
	@scripts/install-deps.sh patchelf
	scripts/dist.sh

## Builds the container image (Containerfile) and smoke-tests it, then proves the dist tarball in
## a minimal Debian root (scripts/image.sh; docker if it runs, else podman).
image: release
	@scripts/install-deps.sh patchelf debootstrap curl
	@docker info >/dev/null 2>&1 || scripts/install-deps.sh podman runc
	scripts/image.sh

build:
	@scripts/install-deps.sh $(RUN_DEPS)
	$(SWIFT) build

## Rewrites every checked-in copy of what the code builds, after changing a kind, a route or a
## scenario key: the OpenAPI document, the scenario schema and the README's table of kinds (from
## the binary), and the default scenario and dashboard embedded in it. Tests fail naming this target while a copy is stale.
generate:
	scripts/embed-default-scenario.py
	scripts/embed-dashboard.py
	$(MAKE) build
	.build/debug/k2mock openapi > openapi/k2mock.json
	.build/debug/k2mock schema > schemas/scenario.schema.json
	K2MOCK_BIN=.build/debug/k2mock scripts/readme-kinds.py

## Start-up time, idle memory and GET throughput against plain-C libmicrohttpd (docs/performance.md).
bench: release
	@scripts/install-deps.sh $(BENCH_DEPS)
	bench/run.sh

clean:
	rm -rf .build .build-tsan .build-fuzz $(VENV) dist
