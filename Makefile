# Docker Symphony — every target installs what it needs first.
#   make demo   the demo app behind the orchestrator (the main job)
#   make test   the whole test suite with coverage, against a real Docker engine

SHELL := /bin/bash
IMAGE ?= docker-symphony-demo:latest
TESTS := $(shell find test bench -name '*.test.ts' 2>/dev/null | sort)
NODE_TEST := node --import tsx --test --test-reporter=spec --test-timeout=180000

.PHONY: install build engine image test test-unit demo swarm-up swarm-down swarm-demo bench screenshot typecheck reliability clean

install: node_modules/.installed

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

# The build script compiles src/ and copies the dashboard's files (src/admin/dashboard/).
build: install
	npm run build --silent
	@chmod +x dist/cli.js

typecheck: install
	npx tsc -p tsconfig.json --noEmit
	npx tsc -p src/admin/dashboard/tsconfig.json

engine:
	@bash scripts/ensure-docker.sh

image: engine
	@IMAGE=$(IMAGE) bash scripts/build-image.sh

test: install image typecheck
	@bash scripts/ensure-chromium.sh
	@bash scripts/run-tests.sh $(TESTS)

# Only what needs no engine, no image and no browser: seconds.
test-unit: install
	$(NODE_TEST) $(shell find test -name '*.test.ts' -not -name '*.e2e.test.ts' -not -name '*.engine.test.ts' -not -name '*.browser.test.ts' | sort)

# Also builds docker-symphony-demo:v2 (whoami says version 2), to show a deploy:
#   node dist/cli.js deploy --image docker-symphony-demo:v2
demo: build image
	@VERSION=2 IMAGE=docker-symphony-demo:v2 bash scripts/build-image.sh
	node dist/cli.js --image $(IMAGE) --container-port 80 --listen 127.0.0.1:8080 \
		--window 30s --base-scale-count 20 --min 1 --max 5

# A real Docker Swarm of SWARM_NODES (3) nodes on this machine (root): each a dockerd in a
# network namespace of its own, node addresses 10.231.0.11… reachable from the host
# (scripts/swarm-up.sh says more). swarm-up prints the env (SWARM_MANAGER_HOST=…) and
# leaves it running; swarm-down removes everything.
SWARM_NODES ?= 3
swarm-up: image
	@SWARM_NODES=$(SWARM_NODES) SWARM_IMAGES='$(IMAGE)' bash scripts/swarm-up.sh

swarm-down:
	@bash scripts/swarm-down.sh

# The demo on the swarm: one single-replica service per replica, host-mode ports on the
# node addresses, proxy on 127.0.0.1:8080. The swarm is torn down when the orchestrator exits.
swarm-demo: build image
	@VERSION=2 IMAGE=docker-symphony-demo:v2 bash scripts/build-image.sh
	@trap 'bash scripts/swarm-down.sh' EXIT; \
	env_lines=$$(SWARM_NODES=$(SWARM_NODES) SWARM_IMAGES='$(IMAGE) docker-symphony-demo:v2' bash scripts/swarm-up.sh) || exit 1; \
	manager=$$(printf '%s\n' "$$env_lines" | sed -n 's/^SWARM_MANAGER_HOST=//p'); \
	echo "swarm-demo: DOCKER_HOST=$$manager"; \
	DOCKER_HOST=$$manager node dist/cli.js --runtime swarm --image $(IMAGE) --container-port 80 \
		--listen 127.0.0.1:8080 --swarm-heartbeat 1s --window 30s --base-scale-count 20 --min 1 --max 5

# Faults on the real engine under load (fast and full rows) and hostile input; writes
# RELIABILITY.md (rows and run log in a temporary directory it names). Root for the
# engine-restart row (a private dockerd in a network namespace); a few minutes.
reliability: install image
	@bash scripts/reliability.sh

# Docker Symphony side by side with nginx and HAProxy in front of the same two demo
# containers (wrk), the orchestrator's reaction times and the window's cost; writes
# BENCHMARKS.md in 5–6 min. Installs wrk, nginx-light and haproxy when absent (root on
# Debian). BENCH_ARGS=--quick checks the harness in ~1 min (report in bench/results/).
BENCH_ARGS ?=
bench: build image
	@bash scripts/ensure-bench-tools.sh
	node --import tsx --test --test-reporter=dot bench/*.test.ts
	node --import tsx bench/side-by-side.bench.ts $(BENCH_ARGS)

# A picture of the dashboard of a running orchestrator (start `make demo` first), to an
# untracked file; refresh the README's on purpose with `make screenshot OUT=docs/dashboard.png`.
ADMIN_URL ?= http://127.0.0.1:9900/
OUT ?= .screenshots/dashboard.png
screenshot:
	bash scripts/screenshot.sh $(ADMIN_URL) $(OUT)

clean:
	rm -rf dist coverage node_modules/.installed
