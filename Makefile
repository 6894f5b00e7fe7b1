# airlock - build with GNU Make.
#
# Make rather than Meson: it is on every Debian machine already, the project
# is a handful of folders of C, and the three builds we need (release,
# sanitizers, fuzzing) are three object directories with different flags.
#
#   make            build/airlock (optimised)
#   make check      all tests under AddressSanitizer + UBSan (installs deps)
#   make fuzz       libFuzzer targets in build/fuzz/ (clang)
#   make bench      Cedar benchmarks against cedar-wasm (not part of the tests)
#   make bench-ledger  ledger benchmarks against SQLite (not part of the tests)
#   make bench-mcp  the gateway's added latency (not part of the tests)
#   make bench-approve  memory per held call, the approval's round trip
#   make demo       the main job on the bundled example

CC      ?= cc
PKGS    := jansson libsodium libpcre2-8 zlib libseccomp sqlite3 libcurl libcrypto yaml-0.1
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
# libcurl, libcrypto and SQLite are not linked: they are loaded when first
# needed (src/util/util_curl.h, util_crypto.h, util_sqlite.h), so that a
# short process (an agent's hook) does not pay for loading them.
PKG_LIBS   := $(shell pkg-config --libs $(filter-out libcurl libcrypto sqlite3,$(PKGS)) 2>/dev/null || echo -ljansson -lsodium -lpcre2-8 -lz -lseccomp -lyaml) -lpthread -ldl
WARN    := -Wall -Wextra -Werror -Wshadow -Wpointer-arith -Wvla -Wformat=2
STD     := -std=c17 -D_GNU_SOURCE
OPT     ?= -O2 -g
SAN     := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer

LIB_SRC := $(wildcard src/cedar/*.c src/util/*.c src/ledger/*.c src/gate/*.c src/client/*.c src/store/*.c src/hook/*.c src/mcp/*.c src/inspect/*.c src/daemon/*.c src/approve/*.c) \
           build/gen/defaults.c
CLI_SRC := $(wildcard src/cli/*.c) build/gen/cli_synopsis.c
TEST_SRC := $(wildcard tests/*_test.c)
FUZZ_SRC := $(wildcard fuzz/fuzz_*.c)
BENCH_SRC := $(wildcard bench/bench_*.c)

REL := build/obj
ASN := build/asan

REL_LIB := $(LIB_SRC:%.c=$(REL)/%.o)
REL_CLI := $(CLI_SRC:%.c=$(REL)/%.o)
ASN_LIB := $(LIB_SRC:%.c=$(ASN)/%.o)
ASN_CLI := $(CLI_SRC:%.c=$(ASN)/%.o)
TESTS   := $(TEST_SRC:tests/%.c=$(ASN)/tests/%)
FUZZERS := $(FUZZ_SRC:fuzz/%.c=build/fuzz/%)
BENCHES := $(BENCH_SRC:bench/%.c=build/bench/%)

.PHONY: all check test fuzz fuzz-run bench bench-ledger bench-mcp bench-inspect bench-daemon bench-approve bench-hook demo demo-deps deps clean format format-check differential-long

# Keep intermediate objects: no "rm ..." after the test summary.
.SECONDARY:

all: build/airlock

build/airlock: $(REL_LIB) $(REL_CLI)
	@echo "  LD  $@"; $(CC) $(OPT) -o $@ $^ $(PKG_LIBS)

$(REL)/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC  $<"; $(CC) $(STD) $(WARN) $(OPT) $(PKG_CFLAGS) -MMD -MP -c -o $@ $<

$(ASN)/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC  $<"; $(CC) $(STD) $(WARN) -O1 -g $(SAN) $(PKG_CFLAGS) -MMD -MP -c -o $@ $<

$(ASN)/airlock: $(ASN_LIB) $(ASN_CLI)
	@echo "  LD  $@"; $(CC) $(SAN) -o $@ $^ $(PKG_LIBS)

$(ASN)/tests/%: $(ASN)/tests/%.o $(ASN)/tests/test_util.o $(ASN_LIB)
	@echo "  LD  $@"; $(CC) $(SAN) -o $@ $^ $(PKG_LIBS) -lcmocka

# Allocation-failure injection: airlock's allocations go through the
# test's wrappers (tests/alloc_fail_test.c).
ALLOC_WRAP := -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=strdup,--wrap=strndup
$(ASN)/tests/alloc_fail_test: $(ASN)/tests/alloc_fail_test.o $(ASN)/tests/test_util.o $(ASN_LIB)
	@echo "  LD  $@"; $(CC) $(SAN) $(ALLOC_WRAP) -o $@ $^ $(PKG_LIBS) -lcmocka

# What ships compiled in (src/defaults/defaults.h): the default policies and
# entities, the administrative policies, inspection's rules, secret formats
# and access tables.
DEFAULT_FILES := policies/default.cedar policies/default-entities.json policies/admin.cedar \
                 src/inspect/rules.tsv src/inspect/secrets.tsv src/inspect/access.tsv
build/gen/defaults.c: $(DEFAULT_FILES) scripts/embed.sh
	@mkdir -p $(dir $@)
	@{ scripts/embed.sh defaults_mcp_policies policies/default.cedar; \
	   scripts/embed.sh defaults_mcp_entities policies/default-entities.json; \
	   scripts/embed.sh defaults_admin_policies policies/admin.cedar; \
	   scripts/embed.sh defaults_inspect_rules src/inspect/rules.tsv; \
	   scripts/embed.sh defaults_inspect_secrets src/inspect/secrets.tsv; \
	   scripts/embed.sh defaults_inspect_access src/inspect/access.tsv; } > $@.tmp
	@mv $@.tmp $@

# The command synopsis, one source for `airlock help` and the README
# (scripts/check-synopsis.sh).
build/gen/cli_synopsis.c: src/cli/synopsis.txt scripts/embed.sh
	@mkdir -p $(dir $@)
	@scripts/embed.sh cli_synopsis src/cli/synopsis.txt > $@.tmp
	@mv $@.tmp $@

deps:
	scripts/setup.sh

# The README's test command.
check: deps
	@$(MAKE) --no-print-directory test

test: build/airlock $(ASN)/airlock $(TESTS) fuzz-replay-bins
	tests/run.sh

# Fuzz targets built without libFuzzer's driver (plain main) so that the test
# run can replay the corpora under ASan+UBSan with gcc or clang.
REPLAY := $(FUZZ_SRC:fuzz/%.c=$(ASN)/replay/%)
.PHONY: fuzz-replay-bins
fuzz-replay-bins: $(REPLAY)
$(ASN)/replay/%: fuzz/%.c fuzz/replay_main.c $(ASN_LIB)
	@mkdir -p $(dir $@)
	@echo "  CC  $<"; $(CC) $(STD) $(WARN) -O1 -g $(SAN) $(PKG_CFLAGS) -o $@ $< fuzz/replay_main.c $(ASN_LIB) $(PKG_LIBS)

FUZZ_CC ?= clang
FUZZ_FLAGS := -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
fuzz: $(FUZZERS)
build/fuzz/%: fuzz/%.c $(LIB_SRC)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(STD) $(WARN) $(FUZZ_FLAGS) $(PKG_CFLAGS) -o $@ $< $(LIB_SRC) $(PKG_LIBS)

# Each target briefly, starting from its corpus (CI calls this).
FUZZ_SECONDS ?= 20
fuzz-run: fuzz
	scripts/fuzz-run.sh $(FUZZ_SECONDS)

bench: $(BENCHES)
	scripts/bench.sh

bench-ledger: $(BENCHES)
	scripts/bench-ledger.sh

bench-mcp: deps build/airlock build/bench/bench_gate
	scripts/bench-mcp.sh

bench-inspect: build/bench/bench_inspect
	build/bench/bench_inspect

bench-daemon: build/bench/bench_daemon
	build/bench/bench_daemon /dev/shm 20000

bench-hook: build/airlock build/bench/bench_hook
	build/bench/bench_hook build/airlock /dev/shm 1000

bench-approve: build/bench/bench_approve
	build/bench/bench_approve /dev/shm 4096
build/bench/%: bench/%.c $(REL_LIB)
	@mkdir -p $(dir $@)
	@echo "  CC  $<"; $(CC) $(STD) $(WARN) $(OPT) $(PKG_CFLAGS) -o $@ $^ $(PKG_LIBS) -lsqlite3

differential-long: deps build/airlock
	tests/differential/run.sh long

demo-deps:
	scripts/setup.sh --demo

demo: demo-deps build/airlock
	scripts/demo.sh

format:
	clang-format -i src/*/*.c src/*/*.h tests/*.c tests/*.h fuzz/*.c bench/*.c bench/*.h

# Every C file as .clang-format lays it out (the test run checks it too).
format-check:
	scripts/check-format.sh

clean:
	rm -rf build

-include $(shell find build -name '*.d' 2>/dev/null)
