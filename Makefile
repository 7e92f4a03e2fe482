# bedrock-harness: one non-recursive Makefile.
#
#   make            build everything into build/ (bin/, lib/, obj/)
#   make run        build and start bedrock-mock in the foreground (port $(PORT))
#   make test       build and run every test suite
#   make test SANITIZE=1   the same suite with ASan+UBSan, built in build/sanitize/
#   make deps       install missing Debian/Ubuntu packages (apt-get, sudo when not root)
#   make fuzz-smoke run each libFuzzer target in fuzz/ briefly and replay its corpus (clang)
#   make test-valgrind     the Criterion suite under valgrind memcheck: zero errors, zero leaks
#   make bench      run bench/ and print the table (docs/benchmarks.md); make soak: wrk load
#   make install PREFIX=/usr/local   libbedrock, its headers, bedrock.pc and bedrock-converse
#
# Sources are found by wildcard: a new common/*.c, mock/*.c or tests/test_*.c is built
# without touching this file.

PORT        ?= 8787
ARGS        ?=
FILTER      ?=
V           ?= 0
SANITIZE    ?=

PKGS        := libmicrohttpd libcurl libcjson openssl zlib criterion libnghttp2

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

CC          ?= cc
WARN        := -Wall -Wextra -Werror -Wshadow -Wcast-align -Wwrite-strings -Wformat=2 \
               -Wstrict-prototypes -Wmissing-prototypes -Wpointer-arith -Wvla
PKG_CFLAGS   = $(shell pkg-config --cflags $(PKGS) 2>/dev/null | sed 's/-I/-isystem /g')
PKG_LIBS     = $(shell pkg-config --libs libmicrohttpd libcurl libcjson openssl zlib libnghttp2 2>/dev/null)
CRIT_LIBS    = $(shell pkg-config --libs criterion 2>/dev/null)
CFLAGS      ?= -O2 -g
ALL_CFLAGS   = -std=c11 -D_GNU_SOURCE $(WARN) $(CFLAGS) $(SANFLAGS) -Iinclude -I. $(PKG_CFLAGS) -MMD -MP
LDFLAGS     += $(SANFLAGS)
LDLIBS       = $(PKG_LIBS) -lpthread -lm

ifeq ($(V),1)
  Q :=
else
  Q := @
endif

COMMON_SRC  := $(wildcard common/*.c)
MOCK_SRC    := $(filter-out mock/main.c,$(wildcard mock/*.c mock/*/*.c))
CLIENT_SRC  := $(wildcard client/*.c)
TEST_SRC    := $(wildcard tests/test_*.c) $(wildcard tests/support/*.c)
BENCH_SRC   := $(wildcard bench/bench_*.c)
BENCH_BINS  := $(BENCH_SRC:bench/%.c=$(BIN)/%)

COMMON_OBJ  := $(COMMON_SRC:%.c=$(OBJ)/%.o)
MOCK_OBJ    := $(MOCK_SRC:%.c=$(OBJ)/%.o) $(OBJ)/gen/models_json.o
CLIENT_OBJ  := $(CLIENT_SRC:%.c=$(OBJ)/%.o)
TEST_OBJ    := $(TEST_SRC:%.c=$(OBJ)/%.o)

LIBCOMMON   := $(LIB)/libbedrock-common.a
LIBMOCK     := $(LIB)/libbedrock-mock.a
# libbedrock, the client library (docs/client.md): client/ plus common/, static and shared;
# the shared one is built from position-independent objects in a directory of their own.
PIC_OBJ     := $(BUILD)/obj-pic
LIBCLIENT   := $(LIB)/libbedrock.a
LIBCLIENT_SO := $(LIB)/libbedrock.so
CLIENT_PIC_OBJ := $(CLIENT_SRC:%.c=$(PIC_OBJ)/%.o) $(COMMON_SRC:%.c=$(PIC_OBJ)/%.o)
CLIENT_LIBS  = $(shell pkg-config --libs libcurl libcjson openssl zlib 2>/dev/null)
MOCK_BIN    := $(BIN)/bedrock-mock
CONVERSE_BIN := $(BIN)/bedrock-converse
TEST_BIN    := $(BIN)/bedrock-tests

.PHONY: install all run test test-unit test-interop deps deps-check clean check-headers bench help \
        fuzz fuzz-build fuzz-bins fuzz-smoke fuzz-deps test-valgrind soak
.DEFAULT_GOAL := all

all: $(MOCK_BIN) $(LIBCLIENT) $(LIBCLIENT_SO) $(CONVERSE_BIN)

help:
	@sed -n '2,12p' Makefile | sed 's/^# \{0,1\}//'

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

# Node for the JS interop suite comes from Debian's packages when it is missing (apt systems only).
test: deps-check
	$(Q)command -v node >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1 || sh scripts/deps.sh
	$(Q)$(MAKE) --no-print-directory test-unit
	$(Q)$(MAKE) --no-print-directory test-interop

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
test-unit: $(TEST_BIN) $(MOCK_BIN) $(CONVERSE_BIN)
	$(Q)$(SAN_PRE) BRK_SOURCE_DIR=$(CURDIR) BRK_MOCK_BIN=$(CURDIR)/$(MOCK_BIN) BRK_CONVERSE_BIN=$(CURDIR)/$(CONVERSE_BIN) $(SAN_ENV) \
	  $(TEST_BIN) --jobs 2 $(if $(FILTER),--filter '$(FILTER)') $(SAN_POST)

# The interop suites drive real SDKs against the mock; each skips cleanly when its SDK is absent.
test-interop: $(MOCK_BIN)
	$(Q)$(SAN_PRE) BRK_MOCK_BIN=$(CURDIR)/$(MOCK_BIN) $(SAN_ENV) sh tests/interop/run.sh $(SAN_POST)

# ---- build rules ---------------------------------------------------------
$(OBJ)/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(ALL_CFLAGS) -c $< -o $@

# The default model catalogue is compiled into the binary so that it runs from anywhere.
$(GEN)/models_json.c: fixtures/models.json scripts/embed.sh
	@mkdir -p $(dir $@)
	$(Q)sh scripts/embed.sh brk_default_models_json $< > $@

# docs/client.md's example, extracted and compiled into the test binary (main renamed), so the
# documented program is built and run by tests/test_client_docs.c.
$(GEN)/client_example.c: docs/client.md
	@mkdir -p $(dir $@)
	$(Q)awk '/^\/\* example.c:/{on=1} on&&/^```/{exit} on{print}' $< > $@

$(OBJ)/gen/client_example.o: $(GEN)/client_example.c
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(ALL_CFLAGS) -Dmain=client_example_main -Wno-missing-prototypes -c $< -o $@

$(OBJ)/gen/models_json.o: $(GEN)/models_json.c
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

$(PIC_OBJ)/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC(PIC) $<")
	$(Q)$(CC) $(ALL_CFLAGS) -fPIC -c $< -o $@

$(LIBCLIENT_SO): $(CLIENT_PIC_OBJ)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -shared -Wl,-soname,libbedrock.so.0 -Wl,--no-undefined -o $@.0 $^ $(CLIENT_LIBS)
	$(Q)ln -sf libbedrock.so.0 $@

# bedrock-converse, the command-line client (client/cli/), on the static library.
$(CONVERSE_BIN): $(OBJ)/client/cli/main.o $(LIBCLIENT)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(CLIENT_LIBS)

$(MOCK_BIN): $(OBJ)/mock/main.o $(LIBMOCK) $(LIBCOMMON)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(TEST_BIN): $(TEST_OBJ) $(OBJ)/gen/client_example.o $(CLIENT_OBJ) $(LIBMOCK) $(LIBCOMMON)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) $(CRIT_LIBS)

# ---- install (docs/client.md): libbedrock, its headers, bedrock.pc, bedrock-converse ---------
PREFIX      ?= /usr/local
DESTDIR     ?=
# The client's public headers: client.h and what it and the exported common code declare.
CLIENT_HEADERS := $(filter-out include/bedrock/mock.h,$(wildcard include/bedrock/*.h))

install: $(LIBCLIENT) $(LIBCLIENT_SO) $(CONVERSE_BIN)
	$(Q)install -d $(DESTDIR)$(PREFIX)/include/bedrock $(DESTDIR)$(PREFIX)/lib/pkgconfig $(DESTDIR)$(PREFIX)/bin
	$(Q)install -m 644 $(CLIENT_HEADERS) $(DESTDIR)$(PREFIX)/include/bedrock/
	$(Q)install -m 644 $(LIBCLIENT) $(DESTDIR)$(PREFIX)/lib/
	$(Q)install -m 755 $(LIBCLIENT_SO).0 $(DESTDIR)$(PREFIX)/lib/
	$(Q)ln -sf libbedrock.so.0 $(DESTDIR)$(PREFIX)/lib/libbedrock.so
	$(Q)sed -e 's|@PREFIX@|$(PREFIX)|' \
	  -e "s|@VERSION@|$$(sed -n 's/^#define BRK_CLIENT_VERSION \"\(.*\)\"/\1/p' include/bedrock/client.h)|" \
	  scripts/bedrock.pc.in > $(DESTDIR)$(PREFIX)/lib/pkgconfig/bedrock.pc
	$(Q)install -m 755 $(CONVERSE_BIN) $(DESTDIR)$(PREFIX)/bin/
	@echo "installed libbedrock and bedrock-converse under $(DESTDIR)$(PREFIX)"

# Each public header must compile on its own.
check-headers:
	$(Q)for h in include/bedrock/*.h; do \
	  echo "#include \"$$h\"" | $(CC) $(ALL_CFLAGS) -x c -fsyntax-only - || exit 1; done

# Every bench/bench_*.c is one benchmark program linked against the mock and common code.
$(BIN)/bench_%: $(OBJ)/bench/bench_%.o $(CLIENT_OBJ) $(LIBMOCK) $(LIBCOMMON)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

bench: deps-check
	$(Q)command -v wrk >/dev/null 2>&1 || sh scripts/deps.sh wrk
	$(Q)$(MAKE) --no-print-directory $(MOCK_BIN) $(BENCH_BINS)
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

$(BIN)/fuzz_%: $(OBJ)/fuzz/%.o $(OBJ)/fuzz/fuzz_support.o $(CLIENT_OBJ) $(LIBMOCK) $(LIBCOMMON)
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
	$(Q)$(MAKE) --no-print-directory $(TEST_BIN) $(MOCK_BIN) $(CONVERSE_BIN)
	$(Q)BRK_SOURCE_DIR=$(CURDIR) BRK_MOCK_BIN=$(CURDIR)/$(MOCK_BIN) BRK_CONVERSE_BIN=$(CURDIR)/$(CONVERSE_BIN) \
	  sh tests/valgrind.sh $(BUILD)/valgrind $(TEST_BIN) --jobs 2 $(if $(FILTER),--filter '$(FILTER)')

# ---- load and soak (bench/soak.sh, docs/benchmarks.md) ---------------------------------
soak: deps-check
	$(Q)command -v wrk >/dev/null 2>&1 || sh scripts/deps.sh wrk
	$(Q)$(MAKE) --no-print-directory $(MOCK_BIN)
	$(Q)BRK_MOCK_BIN=$(CURDIR)/$(MOCK_BIN) sh bench/soak.sh

clean:
	rm -rf build

-include $(shell find $(BUILD)/obj $(PIC_OBJ) -name '*.d' 2>/dev/null)
