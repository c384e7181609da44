# The two commands of the README, and the rest of the developer loop.
#   make test    install what is missing, build, run the whole test suite (what CI runs)
#   make chaos   install, build, run the default chaos suite on the simulator, write the report
.PHONY: all deps build test test-unit test-asan test-tsan chaos soak bench fuzz format clean

PRESET ?= default
JOBS ?= $(shell nproc)

all: build

deps:
	@scripts/install-deps

build: deps
	@cmake --preset $(PRESET) >/dev/null
	@cmake --build --preset $(PRESET) -j $(JOBS)

test-unit: build
	@ctest --preset $(PRESET)

test-tsan: deps
	@cmake --preset tsan >/dev/null
	@cmake --build --preset tsan -j $(JOBS) --target concurrency_tests
	@ctest --preset tsan

test-asan: deps
	@cmake --preset asan >/dev/null
	@cmake --build --preset asan -j $(JOBS)
	@ctest --preset asan

test: test-unit test-tsan

# Builds only walsim, runs scenarios/chaos (seed counts in the files: ~15k runs, well under a
# minute on 2 cores), prints the summary table and where the report is. Exit 0 iff every
# scenario matched its expect.verdict (bug-zoo scenarios are expected to fail).
chaos: deps
	@cmake --preset $(PRESET) >/dev/null
	@cmake --build --preset $(PRESET) -j $(JOBS) --target walsim
	@build/$(PRESET)/sim/walsim/walsim run scenarios/chaos --jobs $(JOBS) --report reports/out/latest

soak: build
	@echo "make soak: not built yet (issue [hardening]); nothing was run." >&2
	@exit 1

bench: deps
	@scripts/install-deps --bench
	@cmake --preset release -DWAL_BUILD_BENCH=ON >/dev/null
	@cmake --build --preset release -j $(JOBS)
	@bench/run.sh $(BENCH_ARGS)

format:
	@git ls-files '*.h' '*.cc' | xargs clang-format -i

clean:
	rm -rf build
