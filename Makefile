# The two commands of the README, and the rest of the developer loop.
#   make test    install what is missing, build, run the whole test suite (what CI runs)
#   make chaos   install, build, run the default chaos suite on the simulator, write the report
.PHONY: all deps build test test-unit test-asan test-tsan test-fuzz chaos soak coverage bench fuzz format
.PHONY: clean

PRESET ?= default
JOBS ?= $(shell nproc)

all: build

deps:
	@scripts/install-deps

# Both leave walsim and walctl in bin/ (links into the build), where the README's tour runs them.
build: deps
	@cmake --preset $(PRESET) >/dev/null
	@cmake --build --preset $(PRESET) -j $(JOBS)
	@scripts/link-bin build/$(PRESET)

test-unit: build
	@ctest --preset $(PRESET)

test-tsan: deps
	@cmake --preset tsan >/dev/null
	@cmake --build --preset tsan -j $(JOBS) --target concurrency_tests
	@ctest --preset tsan

# Unit, property, hostile-input and fuzz-replay tests under ASan+UBSan (g++, -O1). Not the
# walsim CLI's end-to-end shrink and output-format tests (the asan preset's filter): test-unit
# runs them, and under ASan they were the stage's slowest (34 s of a 121 s ctest, then the
# output-format ones 34 s of 134 s), with CI near its budget.
test-asan: deps
	@cmake --preset asan >/dev/null
	@cmake --build --preset asan -j $(JOBS)
	@ctest --preset asan

# Each libFuzzer target for a few seconds from a fixed seed (clang; tests/fuzz/CMakeLists.txt).
test-fuzz: deps
	@cmake --preset fuzz >/dev/null
	@cmake --build --preset fuzz -j $(JOBS) --target fuzz_targets
	@ctest --preset fuzz

# What CI runs. Each stage prints its wall time (the cost of each is in docs/soak.md).
test:
	@scripts/timed test-unit $(MAKE) --no-print-directory test-unit
	@scripts/timed test-asan $(MAKE) --no-print-directory test-asan
	@scripts/timed test-tsan $(MAKE) --no-print-directory test-tsan
	@scripts/timed test-fuzz $(MAKE) --no-print-directory test-fuzz

# Builds walsim and walctl (linked into bin/), runs scenarios/chaos, the bug zoo, scenarios/bug-zoo, the pinned
# regressions, scenarios/regressions, SQLite's documented behaviours, scenarios/sqlite, and LevelDB's
# and RocksDB's, scenarios/engines (seed counts in
# the files: ~15k + ~4k + ~2.5k runs, about a minute on 2 cores), prints the summary table and where
# the report is; then a bounded swarm (docs/swarm.md: seeds that each draw their whole
# configuration) for CHAOS_SWARM_SECONDS. Exit 0 iff every scenario matched its expect.verdict
# (a zoo scenario expects a failure, so a caught mutant shows as "ok (bug caught)" and a survivor
# as red) and no swarm seed failed.
CHAOS_SWARM_SECONDS ?= 20
chaos: deps
	@cmake --preset $(PRESET) >/dev/null
	@cmake --build --preset $(PRESET) -j $(JOBS) --target walsim walctl
	@scripts/link-bin build/$(PRESET)
	@status=0; \
	build/$(PRESET)/sim/walsim/walsim run scenarios/chaos scenarios/bug-zoo scenarios/regressions scenarios/sqlite scenarios/engines --jobs $(JOBS) || status=$$?; \
	echo; echo "swarm: $(CHAOS_SWARM_SECONDS) s of seeds that each draw their whole configuration"; \
	build/$(PRESET)/sim/walsim/walsim swarm --seconds $(CHAOS_SWARM_SECONDS) --jobs $(JOBS) || status=$$?; \
	exit $$status

# The long run (docs/soak.md): simulator seeds over the chaos suite, real-disk kill -9 cycles,
# long fuzz runs, the differential test over many seeds; one merged report. SOAK_ARGS are passed
# to scripts/soak (e.g. SOAK_ARGS="--fuzz-seconds 3600", or "--shard 3/16 --out soak-3").
soak: deps
	@scripts/soak $(SOAK_ARGS)

# Line and branch coverage of wal/src reached by a bounded swarm (docs/coverage.md): builds walsim
# in the `coverage` preset (gcc --coverage), zeroes the counters, runs COVERAGE_SWARM_SECONDS of
# swarm seeds of the default space, and reports with gcovr into reports/out/coverage/
# (the uncovered lines per file on the terminal). Not part of `make test`. COVERAGE_ARGS go to
# scripts/coverage (e.g. COVERAGE_ARGS=--with-tests adds the whole ctest suite: a second figure).
COVERAGE_SWARM_SECONDS ?= 120
coverage: deps
	@scripts/coverage --seconds $(COVERAGE_SWARM_SECONDS) --jobs $(JOBS) $(COVERAGE_ARGS)

bench: deps
	@scripts/install-deps --bench
	@cmake --preset release -DWAL_BUILD_BENCH=ON >/dev/null
	@cmake --build --preset release -j $(JOBS)
	@bench/run.sh $(BENCH_ARGS)

format:
	@git ls-files '*.h' '*.cc' | xargs clang-format -i

clean:
	rm -rf build
