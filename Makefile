# userpipe: the user-facing targets. The real work is in scripts/, so every target
# also works by hand and in CI (`bash .ci/run` calls `make test`).
JOBS  ?= $(shell nproc)
BUILD ?= build

.PHONY: all deps build build-asan build-fuzz test test-cluster test-compose unit fuzz fmt fmt-check clean

all: build

deps:
	@scripts/deps

build:
	@scripts/build release

build-asan:
	@scripts/build asan

build-fuzz:
	@scripts/build fuzz

# Everything: deps, three builds, unit tests twice (plain and ASan+UBSan), short fuzz
# runs, the real Kafka + Cassandra stack, integration tests; the stack is stopped after.
test:
	@scripts/test

# Unit tests only (no stack), in the plain and the sanitizer build.
unit:
	@scripts/test --unit-only

# The tests labelled "cluster" (tests/integration/test_cluster_*.sh) on the local 3+3-node cluster
# (scripts/stack up --nodes 3), started once and stopped after if this started it. docs/cluster.md.
test-cluster:
	@scripts/test --cluster

# deploy/docker-compose.yml run for real (Docker, or podman set up by scripts/compose), beside
# the host stack on other ports: tests/compose/test_compose_stack.sh, deploy/README.md.
test-compose: build
	@USERPIPE_BIN=$(BUILD)/userpipe tests/compose/test_compose_stack.sh

# Longer fuzz runs: USERPIPE_FUZZ_SECONDS per target (default here 300).
fuzz: build-fuzz
	@USERPIPE_FUZZ_SECONDS=$${USERPIPE_FUZZ_SECONDS:-300} ctest --test-dir build-fuzz -L fuzz --output-on-failure

# Our C sources: not what the peers' builds generate under bench/peers/*/target (the Rust
# peer's rdkafka-sys unpacks librdkafka's C sources there; make fmt must never rewrite them).
FIND_C_SOURCES = find src tests bench -path 'bench/peers/*/target' -prune -o -name '*.[ch]' -print0

fmt:
	@$(FIND_C_SOURCES) | xargs -0 clang-format -i

# Shell: every bash script in scripts/ (by its #! line), scripts/lib/, and the tests' *.sh.
SHELL_SCRIPTS = $(shell grep -lsE '^\#!(/usr/bin/env bash|/bin/(ba)?sh)' scripts/*) \
                $(wildcard scripts/lib/*.sh) $(shell find tests -name '*.sh')

fmt-check:
	@$(FIND_C_SOURCES) | xargs -0 clang-format --dry-run --Werror
	@shellcheck -x $(SHELL_SCRIPTS)

clean:
	rm -rf build build-asan build-fuzz

.PHONY: run stop

# The seed's whole job in one command: stack, userpipe api/stream/ui, Airflow, one run of the
# DAG load_users_data, rows in Cassandra; prints what runs where. See docs/run.md.
# `make run NODES=3` (or USERPIPE_STACK_NODES=3): the same on the local 3+3-node cluster.
# `make run SECURE=1` (or USERPIPE_RUN_SECURE=1): on the secured single-node stack (TLS, SCRAM,
# ACLs, roles; docs/security.md).
run:
	@scripts/run $(if $(NODES),--nodes $(NODES)) $(if $(filter 1 yes true,$(SECURE)),--secure)

# Stops what `make run` started (the stack too, when make run started it).
stop:
	@scripts/run stop

# Side-by-side benchmarks against the seed's Python + Spark stack (docs/bench.md);
# `make bench BENCH_ARGS=--quick` is the < 5-minute check.
# The producer's delivery stress (docs/kafka-delivery.md): 1M records into fresh topics under
# group, topic and CPU churn, every topic audited; STRESS_ARGS for its options. Needs the stack.
.PHONY: stress-kafka
stress-kafka: build
	@tests/stress/kafka_delivery.sh $(STRESS_ARGS)

# The dashboard under load for USERPIPE_SOAK_SECONDS (default 180), from the ASan + UBSan build,
# on the shared single-node stack: SSE clients that stall and vanish, random and malformed
# requests, topics deleted underneath; exit 1 on any crash or sanitizer report. docs/ui.md.
.PHONY: soak-ui
soak-ui: build-asan
	@tests/stress/ui_soak.sh

.PHONY: bench
bench: ; @bench/run $(BENCH_ARGS)
