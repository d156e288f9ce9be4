# The front door. `make run` and `make test` are the two set-up commands of the
# README; each installs what it needs first (scripts/install-deps.sh).
BUILD_DIR   ?= build
RELEASE_DIR := $(BUILD_DIR)/release
ASAN_DIR    := $(BUILD_DIR)/asan
LISTEN      ?= 127.0.0.1:8080

.PHONY: all deps build build-asan web run test test-npm bench fuzz valgrind format clean

all: build

deps:
	@bash scripts/install-deps.sh

$(RELEASE_DIR)/build.ninja:
	cmake -S . -B $(RELEASE_DIR) -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_C_COMPILER=gcc

$(ASAN_DIR)/build.ninja:
	cmake -S . -B $(ASAN_DIR) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCMAKE_C_COMPILER=clang -DAP_SANITIZE=ON

# Release build with gcc.
build: deps $(RELEASE_DIR)/build.ninja
	ninja -C $(RELEASE_DIR)

# Test build with clang, AddressSanitizer and UndefinedBehaviorSanitizer.
build-asan: deps $(ASAN_DIR)/build.ninja
	ninja -C $(ASAN_DIR)

# The dashboard (web/dist), served by `agentperf serve` at /.
web: deps
	@bash scripts/build-web.sh

run: build web
	@LISTEN=$(LISTEN) bash scripts/run-demo.sh $(RELEASE_DIR)/agentperf

# npm packages the tests use, from their lockfiles (npm ci), only when changed.
test-npm: deps
	@[ tests/openapi/node_modules/.package-lock.json -nt tests/openapi/package-lock.json ] || \
	  npm ci --prefix tests/openapi --no-audit --no-fund --loglevel=error

# Both compilers must build warning-free; every test runs on the sanitizer build.
test: build build-asan test-npm web
	@bash scripts/run-tests.sh $(ASAN_DIR)

bench: build
	@bash bench/run.sh

# libFuzzer targets of fuzz/ (clang, ASan+UBSan), FUZZ_SECONDS each; CI runs a
# short round of it after `make test` (.ci/run).
FUZZ_SECONDS ?= 300
fuzz: deps
	@FUZZ_SECONDS=$(FUZZ_SECONDS) bash scripts/fuzz.sh

# Every C unit test, and the server under a few end-to-end tests, under
# valgrind's memcheck on the gcc build (scripts/valgrind.sh).
valgrind: build
	@bash scripts/valgrind.sh $(RELEASE_DIR)

format:
	clang-format -i $$(git ls-files 'src/*.c' 'src/*.h' 'tests/*.c' 'bench/*.c')

clean:
	rm -rf $(BUILD_DIR)
