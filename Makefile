# bedrock-harness: one non-recursive Makefile.
#
#   make            build the mock, the libraries, bedrock-converse, bedrock-scenario, the test binary and the
#                   benchmarks into build/
#                   (bin/, lib/, obj/); changing CC, CFLAGS or LDFLAGS rebuilds everything
#   make run        build and start bedrock-mock in the foreground (port $(PORT))
#   make test       check the layers, build and run every test suite
#   make test SANITIZE=1   the same suite with ASan+UBSan, built in build/sanitize/
#   make test-contrib      the pytest plugin and the Node helper with the real SDKs (part of make test)
#   make deps       install missing Debian/Ubuntu packages (apt-get, sudo when not root)
#   make check-headers     compile every header alone; public ones as C++ too, with guards
#   make check-layers      fail when an #include crosses a layer the wrong way
#   make lint       formatting (.clang-format), function length, banned functions (scripts/lint.sh)
#   make fuzz-smoke run each libFuzzer target in fuzz/ briefly and replay its corpus (clang)
#   make test-valgrind     the Criterion suite under valgrind memcheck: zero errors, zero leaks
#   make bench      run bench/ and print the table (docs/benchmarks.md); make soak: wrk load
#   make install PREFIX=/usr/local   libbedrock, its headers, bedrock.pc, bedrock-converse, bedrock-mock,
#                                    bedrock-scenario (make uninstall)
#   make fidelity   replay fixtures/fidelity/ (recorded Bedrock verdicts and usage) and print the figures
#   make run-scenarios     run the bundled scenario library (scenarios/) and its self-checks; part of make test
#
# Sources are found by wildcard: a new common/*.c, mock/*/*.c, scenario/*.c or tests/test_*.c is built
# without touching this file. `make help` prints this comment, up to its first non-comment line.

PORT        ?= 8787
ARGS        ?=
FILTER      ?=
FORMAT_FILES ?=
V           ?= 0
SANITIZE    ?=

PKGS        := libmicrohttpd libcurl libcjson openssl zlib criterion libnghttp2 libpcre2-8 yaml-0.1

ifeq ($(SANITIZE),1)
  BUILD     := build/sanitize
  SANFLAGS  := -fsanitize=address,undefined,float-cast-overflow -fno-omit-frame-pointer -fno-sanitize-recover=undefined,float-cast-overflow
else ifeq ($(SANITIZE),fuzz)
  # libFuzzer build (make fuzz / fuzz-smoke): clang, coverage hooks everywhere, ASan+UBSan.
  # clang's -Wformat=2 also flags vprintf-style callbacks that gcc accepts; those are not fuzzed.
  BUILD     := build/fuzz
  SANFLAGS  := -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined \
               -Wno-format-nonliteral
  CC        := clang
else
  BUILD     := build
  SANFLAGS  :=
endif

BIN         := $(BUILD)/bin
LIB         := $(BUILD)/lib
OBJ         := $(BUILD)/obj
GEN         := $(BUILD)/gen

# CC is make's default (cc) unless the command line or the environment sets it.
WARN        := -Wall -Wextra -Werror -Wshadow -Wcast-align -Wwrite-strings -Wformat=2 \
               -Wstrict-prototypes -Wmissing-prototypes -Wpointer-arith -Wvla
# pkg-config runs once per make. Targets that install packages first (deps-check) build through
# a sub-make, which reads the flags again after the install.
PKG_CFLAGS  := $(shell pkg-config --cflags $(PKGS) 2>/dev/null | sed 's/-I/-isystem /g')
PKG_LIBS    := $(shell pkg-config --libs $(filter-out criterion,$(PKGS)) 2>/dev/null)
CRIT_LIBS   := $(shell pkg-config --libs criterion 2>/dev/null)
CFLAGS      ?= -O2 -g
ALL_CFLAGS   = -std=c11 -D_GNU_SOURCE $(WARN) $(CFLAGS) $(SANFLAGS) -Iinclude -I. $(PKG_CFLAGS) -MMD -MP
HDR_CXXFLAGS = -std=c++11 -Wall -Wextra -Werror -Iinclude -I. $(PKG_CFLAGS)
LDFLAGS     += $(SANFLAGS)
LDLIBS       = $(PKG_LIBS) -lpthread -lm
# bedrock-mock loads libcurl only for --record (mock/replay/curl_lib.h) and links no library it
# does not call: every library linked is mapped and relocated at each start (docs/benchmarks.md).
MOCK_LIBS    = -Wl,--as-needed $(filter-out -lcurl,$(PKG_LIBS)) -ldl -lpthread -lm

ifeq ($(V),1)
  Q :=
else
  Q := @
endif

COMMON_SRC  := $(wildcard common/*.c)
MOCK_SRC    := $(filter-out mock/main.c,$(wildcard mock/*.c mock/*/*.c))
CLIENT_SRC  := $(wildcard client/*.c)
SCENARIO_SRC := $(filter-out scenario/main.c,$(wildcard scenario/*.c))
TEST_SRC    := $(wildcard tests/test_*.c) $(wildcard tests/support/*.c)
BENCH_SRC   := $(wildcard bench/bench_*.c)
BENCH_BINS  := $(BENCH_SRC:bench/%.c=$(BIN)/%)

COMMON_OBJ  := $(COMMON_SRC:%.c=$(OBJ)/%.o)
MOCK_OBJ    := $(MOCK_SRC:%.c=$(OBJ)/%.o) $(OBJ)/gen/models_json.o
CLIENT_OBJ  := $(CLIENT_SRC:%.c=$(OBJ)/%.o)
SCENARIO_OBJ := $(SCENARIO_SRC:%.c=$(OBJ)/%.o)
TEST_OBJ    := $(TEST_SRC:%.c=$(OBJ)/%.o)

# Objects that go into a shared library (common/ and client/ make libbedrock.so) are
# position-independent and hide every symbol that include/bedrock/export.h does not mark BRK_API,
# so the library exports its API only. Static archives and the programs linked from them (the
# mock, the tests, which call internal functions) link exactly as before.
SHLIB_OBJ   := $(COMMON_OBJ) $(CLIENT_OBJ)
$(SHLIB_OBJ): ALL_CFLAGS += -fPIC -fvisibility=hidden -DBRK_BUILDING_LIBRARY

LIBCOMMON   := $(LIB)/libbedrock-common.a
LIBMOCK     := $(LIB)/libbedrock-mock.a
# libbedrock, the client library (docs/client.md): client/ plus common/, static and shared,
# both from the same position-independent objects (SHLIB_OBJ above).
LIBCLIENT   := $(LIB)/libbedrock.a
LIBCLIENT_SO := $(LIB)/libbedrock.so
CLIENT_LIBS  = $(shell pkg-config --libs libcurl libcjson openssl zlib 2>/dev/null) -lm
MOCK_BIN    := $(BIN)/bedrock-mock
CONVERSE_BIN := $(BIN)/bedrock-converse
SCENARIO_BIN := $(BIN)/bedrock-scenario
TEST_BIN    := $(BIN)/bedrock-tests

.PHONY: all run test test-unit test-interop test-contrib run-scenarios deps deps-check clean check-headers check-layers lint bench help \
        fuzz fuzz-build fuzz-bins fuzz-smoke fuzz-deps test-valgrind soak install uninstall fidelity
.DEFAULT_GOAL := all

all: $(MOCK_BIN) $(LIBCOMMON) $(LIBMOCK) $(LIBCLIENT) $(LIBCLIENT_SO) $(CONVERSE_BIN) $(SCENARIO_BIN) $(TEST_BIN) \
     $(BENCH_BINS)

help:
	@awk '!/^#/ { exit } { sub(/^# ?/, ""); print }' Makefile

# ---- dependencies --------------------------------------------------------
# `deps-check` installs packages only when pkg-config (or the compiler) cannot find them,
# then re-runs make so that the pkg-config flags are read after the install.
deps:
	$(Q)sh scripts/deps.sh

deps-check:
	$(Q)command -v cc >/dev/null 2>&1 && command -v pkg-config >/dev/null 2>&1 \
	  && pkg-config --exists $(PKGS) || sh scripts/deps.sh

run: deps-check
	$(Q)$(MAKE) --no-print-directory $(MOCK_BIN)
	$(MOCK_BIN) --port $(PORT) $(ARGS)

# Node for the JS suites, and pytest (and wheel, for an offline `pip install`) for the pytest
# plugin's, come from Debian's packages when they are missing (apt systems only): PyPI is not
# reachable from CI, and python3 may be another build than Debian's (tests/contrib/pytest_main.py).
test: deps-check
	$(Q)command -v node >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1 || sh scripts/deps.sh
	$(Q){ python3 tests/contrib/pytest_main.py --version && test -d /usr/lib/python3/dist-packages/wheel; } \
	  >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1 || sh scripts/deps.sh python3-pytest python3-wheel
	$(Q)sh scripts/check-layers.sh
	$(Q)sh tests/check-layers-test.sh
	$(Q)CC='$(CC)' CXX='$(CXX)' sh tests/check-headers-test.sh
	$(Q)if command -v clang-format >/dev/null 2>&1; then sh tests/lint-test.sh; \
	  else echo "lint-test: skipped, no clang-format (make lint installs it)"; fi
	$(Q)$(MAKE) --no-print-directory test-unit
	$(Q)$(MAKE) --no-print-directory test-interop
	$(Q)$(MAKE) --no-print-directory test-contrib
	$(Q)$(MAKE) --no-print-directory run-scenarios
	$(Q)BRK_MAKE='$(MAKE)' BRK_EXAMPLE_CC='$(CC) $(SANFLAGS)' sh tests/install-test.sh

# Under SANITIZE=1 every sanitizer report (a leak at a worker's or a mock's exit included, which
# Criterion and the interop runners would not notice) goes to a file; tests/sanitizer-verdict.sh
# fails the run when any was written.
ifeq ($(SANITIZE),1)
  SAN_LOGS  := $(CURDIR)/$(BUILD)/sanitizer-logs
  SAN_ENV   := ASAN_OPTIONS=log_path=$(SAN_LOGS)/asan UBSAN_OPTIONS=print_stacktrace=1:log_path=$(SAN_LOGS)/ubsan
  SAN_PRE   := rm -rf $(SAN_LOGS) && mkdir -p $(SAN_LOGS) &&
  SAN_POST   = ; rc=$$?; sh tests/sanitizer-verdict.sh $(SAN_LOGS) || rc=1; exit $$rc
endif

# Criterion forks a worker per test; each HTTP test starts its own mock on a free port.
test-unit: $(TEST_BIN) $(MOCK_BIN) $(CONVERSE_BIN) $(SCENARIO_BIN)
	$(Q)$(SAN_PRE) BRK_SOURCE_DIR=$(CURDIR) BRK_MOCK_BIN=$(CURDIR)/$(MOCK_BIN) BRK_CONVERSE_BIN=$(CURDIR)/$(CONVERSE_BIN) \
	  BRK_SCENARIO_BIN=$(CURDIR)/$(SCENARIO_BIN) $(SAN_ENV) \
	  $(TEST_BIN) --jobs 2 $(if $(FILTER),--filter '$(FILTER)') $(SAN_POST)

# The bundled scenario library (scenarios/, docs/scenarios.md#the-bundled-library): every scenario
# must pass; then a broken copy of one scenario per area must fail naming the step, expected and
# actual value, every file must match scenarios/schema.json, and the exec examples must pass with
# their companion scripts (curl, boto3; each skipped when absent).
run-scenarios: $(SCENARIO_BIN)
	$(Q)$(SAN_PRE) $(SAN_ENV) $(SCENARIO_BIN) run scenarios/ $(SAN_POST)
	$(Q)$(SAN_PRE) BRK_SCENARIO_BIN=$(CURDIR)/$(SCENARIO_BIN) $(SAN_ENV) sh tests/scenario-broken-test.sh $(SAN_POST)
	$(Q)$(SAN_PRE) BRK_SCENARIO_BIN=$(CURDIR)/$(SCENARIO_BIN) $(SAN_ENV) sh tests/scenario-examples-test.sh $(SAN_POST)

# The interop suites drive real SDKs against the mock; each skips cleanly when its SDK is absent.
test-interop: $(MOCK_BIN)
	$(Q)$(SAN_PRE) BRK_MOCK_BIN=$(CURDIR)/$(MOCK_BIN) $(SAN_ENV) sh tests/interop/run.sh $(SAN_POST)

# The pytest plugin (contrib/python) with boto3 and the Node helper (contrib/node) with the AWS
# SDK for JavaScript; each skips cleanly when pytest or node is absent (docs/python.md,
# docs/javascript.md). Their scenario cases run when build/bin/bedrock-scenario exists: the
# scenario runner's SCENARIO_BIN (empty until that branch is merged) is built first.
test-contrib: $(MOCK_BIN) $(SCENARIO_BIN)
	$(Q)$(SAN_PRE) BEDROCK_MOCK_BIN=$(CURDIR)/$(MOCK_BIN) $(SAN_ENV) sh tests/contrib/run.sh $(SAN_POST)

# ---- test-hostile: one client must not stall the mock or exhaust its memory (issue 22) ----
# The slow cases (suites named *_slow, skipped unless BRK_HOSTILE_SLOW is set: uploads of tens
# of MiB, a full journal) and, after them, the fast ones again. One job: each case measures the
# process's resident memory.
.PHONY: test-hostile
test-hostile: $(TEST_BIN) $(MOCK_BIN)
	$(Q)$(SAN_PRE) BRK_HOSTILE_SLOW=1 BRK_SOURCE_DIR=$(CURDIR) BRK_MOCK_BIN=$(CURDIR)/$(MOCK_BIN) $(SAN_ENV) \
	  $(TEST_BIN) --jobs 1 --filter '*_slow/*' $(SAN_POST)
	$(Q)$(SAN_PRE) BRK_SOURCE_DIR=$(CURDIR) $(SAN_ENV) $(TEST_BIN) --jobs 2 --filter 'hostile_clients/*' $(SAN_POST)

# ---- build rules ---------------------------------------------------------
# Every object depends on a stamp holding the compiler and flags it was built with. The stamp's
# recipe always runs but rewrites the file only when they changed, so a new CFLAGS (or CC,
# SANITIZE=..., a package upgrade's flags) rebuilds everything and an unchanged one nothing.
FLAGS_STAMP := $(BUILD)/.flags
FLAGS_TEXT  := $(CC) $(ALL_CFLAGS) | $(LDFLAGS) | $(LDLIBS) $(CRIT_LIBS)

$(FLAGS_STAMP): FORCE
	@mkdir -p $(dir $@)
	$(Q)printf '%s\n' '$(FLAGS_TEXT)' | cmp -s - $@ || printf '%s\n' '$(FLAGS_TEXT)' > $@

.PHONY: FORCE
FORCE:

$(OBJ)/%.o: %.c $(FLAGS_STAMP)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(ALL_CFLAGS) -c $< -o $@

# The default model catalogue is compiled into the binary so that it runs from anywhere.
$(GEN)/models_json.c: fixtures/models.json scripts/embed.sh
	@mkdir -p $(dir $@)
	$(Q)sh scripts/embed.sh brk_default_models_json $< > $@

# README.md's C example, extracted and compiled into the test binary (main renamed), so the
# documented program is built and run by tests/test_client_docs.c.
$(GEN)/client_example.c: README.md
	@mkdir -p $(dir $@)
	$(Q)awk '/^\/\* example.c:/{on=1} on&&/^```/{exit} on{print}' $< > $@

$(OBJ)/gen/client_example.o: $(GEN)/client_example.c $(FLAGS_STAMP)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(ALL_CFLAGS) -Dmain=client_example_main -Wno-missing-prototypes -c $< -o $@

$(OBJ)/gen/models_json.o: $(GEN)/models_json.c $(FLAGS_STAMP)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(ALL_CFLAGS) -c $< -o $@

$(LIBCOMMON): $(COMMON_OBJ)
	@mkdir -p $(dir $@)
	$(Q)rm -f $@ && ar rcs $@ $^

$(LIBMOCK): $(MOCK_OBJ)
	@mkdir -p $(dir $@)
	$(Q)rm -f $@ && ar rcs $@ $^

$(LIBCLIENT): $(CLIENT_OBJ) $(COMMON_OBJ)
	@mkdir -p $(dir $@)
	$(Q)rm -f $@ && ar rcs $@ $^

$(LIBCLIENT_SO): $(SHLIB_OBJ)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -shared -Wl,-soname,libbedrock.so.0 -Wl,--no-undefined -o $@.0 $^ $(CLIENT_LIBS)
	$(Q)ln -sf libbedrock.so.0 $@

# bedrock-converse, the command-line client (client/cli/), on the static library.
$(CONVERSE_BIN): $(OBJ)/client/cli/main.o $(LIBCLIENT)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(CLIENT_LIBS)

# bedrock-scenario (scenario/, docs/scenarios.md): the public API of the client and the mock.
$(SCENARIO_BIN): $(OBJ)/scenario/main.o $(SCENARIO_OBJ) $(CLIENT_OBJ) $(LIBMOCK) $(LIBCOMMON)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(MOCK_BIN): $(OBJ)/mock/main.o $(LIBMOCK) $(LIBCOMMON)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(MOCK_LIBS)

$(TEST_BIN): $(TEST_OBJ) $(OBJ)/gen/client_example.o $(SCENARIO_OBJ) $(CLIENT_OBJ) $(LIBMOCK) $(LIBCOMMON)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) $(CRIT_LIBS)

# ---- install (docs/client.md): libbedrock, its headers, bedrock.pc, bedrock-converse, bedrock-mock, bedrock-scenario
PREFIX      ?= /usr/local
DESTDIR     ?=
# The client's public headers: client.h and what it and the exported common code declare.
CLIENT_HEADERS := $(filter-out include/bedrock/mock.h,$(wildcard include/bedrock/*.h))

install: $(LIBCLIENT) $(LIBCLIENT_SO) $(CONVERSE_BIN) $(MOCK_BIN) $(SCENARIO_BIN)
	$(Q)install -d $(DESTDIR)$(PREFIX)/include/bedrock $(DESTDIR)$(PREFIX)/lib/pkgconfig $(DESTDIR)$(PREFIX)/bin
	$(Q)install -m 644 $(CLIENT_HEADERS) $(DESTDIR)$(PREFIX)/include/bedrock/
	$(Q)install -m 644 $(LIBCLIENT) $(DESTDIR)$(PREFIX)/lib/
	$(Q)install -m 755 $(LIBCLIENT_SO).0 $(DESTDIR)$(PREFIX)/lib/
	$(Q)ln -sf libbedrock.so.0 $(DESTDIR)$(PREFIX)/lib/libbedrock.so
	$(Q)sed -e 's|@PREFIX@|$(PREFIX)|' \
	  -e "s|@VERSION@|$$(sed -n 's/^#define BRK_CLIENT_VERSION \"\(.*\)\"/\1/p' include/bedrock/client.h)|" \
	  scripts/bedrock.pc.in > $(DESTDIR)$(PREFIX)/lib/pkgconfig/bedrock.pc
	$(Q)install -m 755 $(CONVERSE_BIN) $(MOCK_BIN) $(SCENARIO_BIN) $(DESTDIR)$(PREFIX)/bin/
	@echo "installed libbedrock, bedrock-converse, bedrock-mock and bedrock-scenario under $(DESTDIR)$(PREFIX)"

# Removes exactly what install wrote (and the include/bedrock folder when it is left empty).
uninstall:
	$(Q)rm -f $(addprefix $(DESTDIR)$(PREFIX)/include/bedrock/,$(notdir $(CLIENT_HEADERS))) \
	  $(DESTDIR)$(PREFIX)/lib/libbedrock.a $(DESTDIR)$(PREFIX)/lib/libbedrock.so.0 $(DESTDIR)$(PREFIX)/lib/libbedrock.so \
	  $(DESTDIR)$(PREFIX)/lib/pkgconfig/bedrock.pc $(DESTDIR)$(PREFIX)/bin/bedrock-converse $(DESTDIR)$(PREFIX)/bin/bedrock-mock \
	  $(DESTDIR)$(PREFIX)/bin/bedrock-scenario
	$(Q)rmdir $(DESTDIR)$(PREFIX)/include/bedrock 2>/dev/null || true
	@echo "removed libbedrock, bedrock-converse, bedrock-mock and bedrock-scenario from $(DESTDIR)$(PREFIX)"


# Each header compiles on its own (the public ones as C++ too), and every public header has
# extern "C" guards and BRK_API on each function (scripts/check-headers.sh).
check-headers:
	$(Q)CC='$(CC)' CFLAGS='$(filter-out -MMD -MP,$(ALL_CFLAGS))' CXX='$(CXX)' CXXFLAGS='$(HDR_CXXFLAGS)' sh scripts/check-headers.sh

# No #include crosses a layer the wrong way (docs/architecture.md; the rules are in the script).
check-layers:
	$(Q)sh scripts/check-layers.sh

# Formatting (.clang-format), function length (<= 60 lines) and banned functions: scripts/lint.sh.
# clang-format comes from Debian when missing. FORMAT_FILES='a.c b.h' checks those files' formatting
# only; files listed in scripts/format-pending.txt (none today) skip the formatting check.
lint:
	$(Q)command -v clang-format >/dev/null 2>&1 || sh scripts/deps.sh clang-format
	$(Q)FORMAT_FILES='$(FORMAT_FILES)' sh scripts/lint.sh

# Every bench/bench_*.c is one benchmark program linked against the mock and common code.
$(BIN)/bench_%: $(OBJ)/bench/bench_%.o $(CLIENT_OBJ) $(LIBMOCK) $(LIBCOMMON)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# The fidelity suite's figures (docs/fidelity.md): replay fixtures/fidelity/, print the report.
fidelity: $(TEST_BIN) $(MOCK_BIN)
	$(Q)BRK_SOURCE_DIR=$(CURDIR) BRK_MOCK_BIN=$(CURDIR)/$(MOCK_BIN) $(TEST_BIN) --filter 'fidelity/*' >/dev/null 2>&1; \
	  rc=$$?; cat build/fidelity-report.txt; exit $$rc

bench: deps-check
	$(Q)command -v wrk >/dev/null 2>&1 || sh scripts/deps.sh wrk
	$(Q)$(MAKE) --no-print-directory $(MOCK_BIN) $(SCENARIO_BIN) $(BENCH_BINS)
	$(Q)BRK_BIN_DIR=$(CURDIR)/$(BIN) sh bench/run.sh
	$(Q)BRK_MOCK_BIN=$(CURDIR)/$(MOCK_BIN) sh bench/soak.sh
.SECONDARY: $(BENCH_SRC:%.c=$(OBJ)/%.o)

# ---- fuzzing (fuzz/, docs/hardening.md) -----------------------------------
# Each fuzz/<target>.c is one libFuzzer target; fuzz/fuzz_support.c is shared by all of them.
FUZZ_SRC    := $(filter-out fuzz/fuzz_support.c,$(wildcard fuzz/*.c))
FUZZ_BINS   := $(FUZZ_SRC:fuzz/%.c=$(BIN)/fuzz_%)
FUZZ_SECONDS ?= 15

$(OBJ)/fuzz/%.o: ALL_CFLAGS += -DBRK_FUZZ_ENTRY
.SECONDARY: $(FUZZ_SRC:%.c=$(OBJ)/%.o) $(OBJ)/fuzz/fuzz_support.o

$(BIN)/fuzz_%: $(OBJ)/fuzz/%.o $(OBJ)/fuzz/fuzz_support.o $(SCENARIO_OBJ) $(CLIENT_OBJ) $(LIBMOCK) $(LIBCOMMON)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -fsanitize=fuzzer -o $@ $^ $(LDLIBS)

# clang and its libFuzzer runtime come from Debian (clang, libclang-rt-dev) when missing.
fuzz-deps: deps-check
	$(Q)printf 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n);\nint LLVMFuzzerTestOneInput(const char *d, unsigned long n) { return d && n ? 0 : 0; }\n' \
	  | clang -x c -fsanitize=fuzzer - -o /dev/null 2>/dev/null || sh scripts/deps.sh clang libclang-rt-dev

fuzz-build:
	$(Q)$(MAKE) --no-print-directory SANITIZE=fuzz fuzz-bins

fuzz-bins: $(FUZZ_BINS)

fuzz: fuzz-deps fuzz-build

# Every target for FUZZ_SECONDS (default 15) from its seed corpus, which is replayed first.
fuzz-smoke: fuzz-deps fuzz-build
	$(Q)FUZZ_SECONDS=$(FUZZ_SECONDS) sh fuzz/run.sh $(CURDIR)/build/fuzz/bin $(CURDIR)/fuzz/corpus

# ---- valgrind ------------------------------------------------------------------
# Criterion forks a worker per test, hence --trace-children; tests/valgrind.sh keeps one log per
# process and fails on any memcheck error or definite/indirect/possible leak (docs/hardening.md).
test-valgrind: deps-check
	$(Q)command -v valgrind >/dev/null 2>&1 || sh scripts/deps.sh valgrind
	$(Q)$(MAKE) --no-print-directory $(TEST_BIN) $(MOCK_BIN) $(CONVERSE_BIN) $(SCENARIO_BIN)
	$(Q)BRK_SOURCE_DIR=$(CURDIR) BRK_MOCK_BIN=$(CURDIR)/$(MOCK_BIN) BRK_CONVERSE_BIN=$(CURDIR)/$(CONVERSE_BIN) \
	  BRK_SCENARIO_BIN=$(CURDIR)/$(SCENARIO_BIN) \
	  sh tests/valgrind.sh $(BUILD)/valgrind $(TEST_BIN) --jobs 2 $(if $(FILTER),--filter '$(FILTER)')

# ---- load and soak (bench/soak.sh, docs/benchmarks.md) ---------------------------------
soak: deps-check
	$(Q)command -v wrk >/dev/null 2>&1 || sh scripts/deps.sh wrk
	$(Q)$(MAKE) --no-print-directory $(MOCK_BIN)
	$(Q)BRK_MOCK_BIN=$(CURDIR)/$(MOCK_BIN) sh bench/soak.sh

clean:
	rm -rf build

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
