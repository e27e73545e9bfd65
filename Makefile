# vernier: a plain, non-recursive Makefile (STYLE.md).
#   make            build ./vernier (installs missing Debian packages first)
#   make test       build and run every test; ends with "N passed, N failed"
#   make asan       the same suite under AddressSanitizer + UBSan
#   make demo       evaluate examples/ into demo-report.xlsx
#   make bench      benchmarks, each printed beside the anchor it is compared with
#                   (BENCH_N=1000000 for the end-to-end run at a million records)
#   make fuzz       libFuzzer targets, FUZZ_SECONDS=N each (not part of make test)
#   make torture    kill -9, full disk, allocation failures, concurrency (not part of make test)
#   make install    PREFIX=/usr/local DESTDIR=

PREFIX  ?= /usr/local
BUILD   ?= build
CC      ?= cc
PYTHON  ?= /usr/bin/python3
SHARED  ?= ../shared
BENCH_N ?= 100000
WERROR  ?= -Werror
OPT     ?= -O2 -g
PKGS     = sqlite3 libpcre2-8 libcjson xlsxwriter minizip expat
DEB_PKGS = gcc make pkg-config libsqlite3-dev libpcre2-dev libcjson-dev libxlsxwriter-dev \
           libminizip-dev libexpat1-dev python3 python3-openpyxl pcre2-utils sqlite3 zip unzip time \
           clang-format clang libclang-rt-dev util-linux

WARN    = -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wformat=2 \
          -Wno-format-nonliteral $(WERROR)
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
ALL_CFLAGS = -std=c11 -D_GNU_SOURCE $(OPT) $(WARN) $(PKG_CFLAGS) -I. -MMD -MP $(CFLAGS) $(SANITIZE)
ALL_LDFLAGS = $(LDFLAGS) $(SANITIZE)
LIBS    = $(PKG_LIBS) -lpthread -lm

# The library, lowest layer first (base -> rules -> engine -> importers, reports).
LIB_DIRS = base rules engine importers reports
LIB_SRC  = $(foreach d,$(LIB_DIRS),$(sort $(wildcard $(d)/*.c)))
CLI_SRC  = $(sort $(wildcard cli/*.c))
TEST_SRC = $(sort $(wildcard tests/unit/test_*.c))
BENCH_SRC = $(sort $(wildcard bench/*.c))
LIB_OBJ  = $(LIB_SRC:%.c=$(BUILD)/%.o)
CLI_OBJ  = $(CLI_SRC:%.c=$(BUILD)/%.o)
TEST_BIN = $(TEST_SRC:tests/unit/%.c=$(BUILD)/tests/%)
BENCH_BIN = $(BENCH_SRC:bench/%.c=$(BUILD)/bench/%)
FUZZ_NAMES = $(sort $(patsubst fuzz/%.c,%,$(wildcard fuzz/fuzz_*.c)))
REPLAY_BIN = $(FUZZ_NAMES:fuzz_%=$(BUILD)/fuzz/replay_%)
LIB      = $(BUILD)/libvernier.a
BIN      = vernier

.PHONY: all deps test asan demo bench install clean check-office format format-check fuzz torture validity
all: deps
	@$(MAKE) --no-print-directory $(BIN)

# Installs what the build and the tests need, only when something is missing.
deps:
	@missing=$$(for p in $(DEB_PKGS); do \
	    dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; \
	  done); \
	if [ -n "$$missing" ]; then \
	  echo "installing:" $$missing; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

$(BIN): $(CLI_OBJ) $(LIB)
	$(CC) $(ALL_LDFLAGS) -o $@ $(CLI_OBJ) $(LIB) $(LIBS)

$(LIB): $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $(LIB_OBJ)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/tests/%: tests/unit/%.c $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(LIB) $(LIBS) $(ALL_LDFLAGS)

# test_rules_oom counts and fails allocations: every call of ours goes through
# its wrappers.
OOM_WRAP = -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=free,--wrap=strdup,--wrap=strndup
$(BUILD)/tests/test_rules_oom: ALL_LDFLAGS += $(OOM_WRAP)

$(BUILD)/bench/%: bench/%.c $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(LIB) $(LIBS) $(ALL_LDFLAGS)

# The fuzz targets without libFuzzer: make test replays their regression
# inputs (tests/fuzz/) and the seed corpora of $(SHARED)/data through them.
$(BUILD)/fuzz/replay_%: fuzz/fuzz_%.c fuzz/replay.c $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $< fuzz/replay.c $(LIB) $(LIBS) $(ALL_LDFLAGS)

test: deps
	@$(MAKE) --no-print-directory $(BIN) $(TEST_BIN) $(REPLAY_BIN)
	@BUILD=$(BUILD) PYTHON=$(PYTHON) SHARED=$(SHARED) VERNIER=$(CURDIR)/$(BIN) sh tests/run.sh

# Real-data harnesses (tests/validity/*/run.sh; make test runs them too).
validity: deps
	@$(MAKE) --no-print-directory $(BIN)
	@VALIDITY_SAMPLE=1 SHARED=$(SHARED) PYTHON=$(PYTHON) VERNIER=$(CURDIR)/$(BIN) sh tests/validity/run.sh

asan: deps
	@LSAN_OPTIONS="suppressions=$(CURDIR)/tests/lsan.supp:print_suppressions=0" \
	$(MAKE) --no-print-directory BUILD=build-asan OPT="-O1 -g" \
	  SANITIZE="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined" \
	  BIN=build-asan/vernier test

# libFuzzer (Debian's clang): every target of fuzz/ for FUZZ_SECONDS each,
# under ASan+UBSan, seeded from $(SHARED)/data at run time (fuzz/run.sh).
FUZZ_SECONDS ?= 60
FUZZ_SAN = -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
fuzz: deps
	@$(MAKE) --no-print-directory $(BIN)
	@$(MAKE) --no-print-directory BUILD=build-fuzz CC=clang OPT="-O1 -g" WERROR= \
	  SANITIZE="$(FUZZ_SAN) -fsanitize=fuzzer-no-link" $(FUZZ_NAMES:%=build-fuzz/%)
	@FUZZ_SECONDS=$(FUZZ_SECONDS) SHARED=$(SHARED) VERNIER=$(CURDIR)/$(BIN) sh fuzz/run.sh

$(BUILD)/fuzz_%: fuzz/fuzz_%.c $(LIB)
	$(CC) $(ALL_CFLAGS) -fsanitize=fuzzer -o $@ $< $(LIB) $(LIBS) $(ALL_LDFLAGS) -fsanitize=fuzzer

$(BUILD)/tests/oom: tests/torture/oom.c $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(LIB) $(LIBS) $(ALL_LDFLAGS)

# Kill, full-disk, allocation-failure and concurrency runs (tests/torture).
TORTURE_KILLS ?= 50
torture: deps
	@$(MAKE) --no-print-directory $(BIN) $(BUILD)/tests/oom
	@TORTURE_KILLS=$(TORTURE_KILLS) BUILD=$(BUILD) SHARED=$(SHARED) VERNIER=$(CURDIR)/$(BIN) \
	  sh tests/torture/torture.sh

demo: all
	rm -f demo.db
	./$(BIN) --db demo.db registry import examples/registries/labs.csv --kind lab
	./$(BIN) --db demo.db registry import examples/registries/cmc.csv --kind cmc
	./$(BIN) --db demo.db registry import examples/registries/standards.csv --kind standard
	./$(BIN) --db demo.db registry import examples/registries/crm.json --kind crm
	./$(BIN) --db demo.db evaluate examples/projects.jsonl examples/claims.jsonl -o demo-report.xlsx

bench: deps
	@$(MAKE) --no-print-directory $(BIN) $(BENCH_BIN)
	@BUILD=$(BUILD) SHARED=$(SHARED) VERNIER=$(CURDIR)/$(BIN) PYTHON=$(PYTHON) BENCH_N=$(BENCH_N) \
	  sh bench/run.sh

check-office: deps
	@command -v soffice >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq libreoffice-calc >/dev/null; }
	@$(MAKE) --no-print-directory $(BIN)
	@VERNIER=$(CURDIR)/$(BIN) PYTHON=$(PYTHON) sh tests/office/run.sh

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/vernier/rules/default
	install -m 755 $(BIN) $(DESTDIR)$(PREFIX)/bin/vernier
	cp -R rules/default/. $(DESTDIR)$(PREFIX)/share/vernier/rules/default/

# Every C file of ours is kept as .clang-format says; make test checks it.
FORMAT_SRC = $(sort $(wildcard */*.c */*.h tests/*/*.c tests/*/*.h))
format:
	clang-format -i $(FORMAT_SRC)

format-check:
	@sh tests/format/run.sh

clean:
	rm -rf build build-asan build-fuzz $(BIN)

-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(TEST_BIN:=.d) $(BENCH_BIN:=.d) $(REPLAY_BIN:=.d)
