# Docker Symphony — every target installs what it needs first.
#   make demo   the demo app behind the orchestrator (the main job)
#   make test   the whole test suite with coverage, against a real Docker engine

SHELL := /bin/bash
IMAGE ?= docker-symphony-demo:latest
TESTS := $(shell find test -name '*.test.ts' 2>/dev/null | sort)
NODE_TEST := node --import tsx --test --test-reporter=spec --test-timeout=180000

.PHONY: install build engine image test test-unit demo bench screenshot typecheck clean

install: node_modules/.installed

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

build: install
	npx tsc -p tsconfig.build.json
	@chmod +x dist/cli.js

typecheck: install
	npx tsc -p tsconfig.json --noEmit

engine:
	@bash scripts/ensure-docker.sh

image: engine
	@IMAGE=$(IMAGE) bash scripts/build-image.sh

test: install image typecheck
	npx c8 $(NODE_TEST) $(TESTS)

# Only what needs no engine, no image and no browser: seconds.
test-unit: install
	$(NODE_TEST) $(shell find test -name '*.test.ts' -not -name '*.e2e.test.ts' -not -name '*.engine.test.ts' -not -name '*.browser.test.ts' | sort)

demo: build image
	node dist/cli.js --image $(IMAGE) --container-port 80 --listen 127.0.0.1:8080 \
		--window 30s --base-scale-count 20 --min 1 --max 5

# Proxy overhead (ratios against direct traffic, same run) and window throughput; ~1 min.
# Results: stdout and bench/results/latest.json.
bench: install
	node --import tsx bench/window.bench.ts && node --import tsx bench/proxy.bench.ts

# A picture of the dashboard of a running orchestrator (start `make demo` first).
ADMIN_URL ?= http://127.0.0.1:9900/
screenshot:
	bash scripts/screenshot.sh $(ADMIN_URL) docs/dashboard.png
	@echo "wrote docs/dashboard.png"

clean:
	rm -rf dist coverage node_modules/.installed
