# xmppd — top-level build. Plain GNU make; objects live out of tree in build/<variant>/.
#
#   make deps         install every Debian package the project needs (idempotent)
#   make              build libxcore and the tools with gcc (build/gcc)
#   make test         deps + gcc and clang builds + unit tests + ASan/UBSan unit tests
#                     + fuzz-corpus replay + traceability check
#   make asan         unit tests under AddressSanitizer + UndefinedBehaviorSanitizer
#   make proofs       Frama-C (-rte -then -eva -then -wp) over src/core; fails below 100%
#   make fuzz H=xml T=600   one libFuzzer campaign (see fuzz/README.md)
#   make bench-xml    our parser beside expat, MB/s and ratio
#   make traceability requirement matrix; fails on untested implemented requirements

SHELL := /bin/bash
.DEFAULT_GOAL := all
.SECONDARY:

ifeq ($(origin CC),default)
CC := gcc
endif
VARIANT ?= gcc
B := build/$(VARIANT)

WARN := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
        -Wformat=2 -Wvla -Wpointer-arith -Wcast-qual -Wundef
HARDEN := -fstack-protector-strong -D_FORTIFY_SOURCE=2 -fPIE
HARDEN_LD := -pie -Wl,-z,relro,-z,now
OPT ?= -O2 -g
CFLAGS_ALL := -std=c11 -D_DEFAULT_SOURCE $(OPT) $(WARN) $(HARDEN) $(EXTRA_CFLAGS)
LDFLAGS_ALL := $(HARDEN_LD) $(EXTRA_LDFLAGS)

PKGS_TEST := cmocka libidn
PC_CFLAGS = $(shell pkg-config --cflags $(PKGS_TEST))
PC_LIBS = $(shell pkg-config --libs $(PKGS_TEST))

CORE_SRC := $(sort $(wildcard src/core/*.c src/core/gen/*.c))
CORE_OBJ := $(CORE_SRC:%.c=$(B)/%.o)
# Adapters behind the core's interfaces (no main): linked by tests, fuzzers and the server.
ADAPTER_SRC := $(sort $(wildcard src/server/adapter_*.c))
ADAPTER_OBJ := $(ADAPTER_SRC:%.c=$(B)/%.o)
UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(B)/tests/%)
UNIT_SUPPORT_SRC := $(sort $(wildcard tests/unit/support_*.c))
UNIT_SUPPORT_OBJ := $(UNIT_SUPPORT_SRC:%.c=$(B)/%.o)

.PHONY: all deps test unit asan clang-build replay proofs fuzz fuzz-build fuzz-smoke \
        bench bench-xml traceability clean

all: $(B)/libxcore.a $(UNIT_BIN)

$(B)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -Isrc/core -Isrc/server $(PC_CFLAGS) -MMD -MP -c $< -o $@

$(B)/libxcore.a: $(CORE_OBJ)
	@mkdir -p $(dir $@)
	ar rcs $@ $^

$(B)/tests/%: tests/unit/%.c $(B)/libxcore.a $(ADAPTER_OBJ) $(UNIT_SUPPORT_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -Isrc/core -Isrc/server -Itests/unit $(PC_CFLAGS) $< $(UNIT_SUPPORT_OBJ) \
	    $(ADAPTER_OBJ) $(B)/libxcore.a $(LDFLAGS_ALL) $(PC_LIBS) -o $@

-include $(CORE_OBJ:.o=.d) $(ADAPTER_OBJ:.o=.d) $(UNIT_SUPPORT_OBJ:.o=.d)

# Runs every unit test binary; prints one summary line and fails if any test failed.
unit: $(UNIT_BIN)
	@tests/run_unit.sh $(UNIT_BIN)

deps:
	@.ci/deps.sh

clang-build:
	$(MAKE) --no-print-directory CC=clang VARIANT=clang all

asan:
	$(MAKE) --no-print-directory CC=clang VARIANT=asan OPT="-O1 -g" \
	    EXTRA_CFLAGS="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer -U_FORTIFY_SOURCE" \
	    EXTRA_LDFLAGS="-fsanitize=address,undefined" unit

# --- fuzzing ------------------------------------------------------------------
FUZZ_SRC := $(sort $(wildcard fuzz/fuzz_*.c))
FUZZ_NAMES := $(FUZZ_SRC:fuzz/fuzz_%.c=%)
include fuzz/fuzz.mk

# --- proofs -------------------------------------------------------------------
proofs:
	@proofs/run.sh
	@proofs/run_mutants.sh

# --- benchmarks ---------------------------------------------------------------
bench: bench-xml
bench-xml:
	@bench/run_xml.sh

traceability:
	@/usr/bin/python3 spec/traceability.py

test: deps
	$(MAKE) --no-print-directory all
	$(MAKE) --no-print-directory clang-build
	$(MAKE) --no-print-directory unit
	$(MAKE) --no-print-directory asan
	$(MAKE) --no-print-directory replay
	$(MAKE) --no-print-directory traceability

clean:
	rm -rf build
