# xmppd — top-level build. Plain GNU make; objects live out of tree in build/<variant>/.
#
#   make deps         install every Debian package the project needs (idempotent)
#   make              build libxcore and the tools with gcc (build/gcc)
#   make test         deps + gcc and clang builds + unit tests + ASan/UBSan unit tests
#                     + fuzz-corpus replay + traceability check + gen-check + spec-tests + proof-tools-tests
#   make asan         unit tests under AddressSanitizer + UndefinedBehaviorSanitizer
#   make proofs       spin over the table models (proofs/run_spin.sh), then Frama-C
#                     (pass A: -rte -eva -wp; pass B: -rte -wp on the engines) over src/core
#   make fuzz H=xml T=600   one libFuzzer campaign (see fuzz/README.md)
#   make record-prosody     record xmppd <-> Prosody s2s exchanges as fuzz seeds
#   make bench-xml    our parser beside expat, MB/s and ratio
#   make traceability requirement matrix; fails on untested implemented requirements
#   make gen          regenerate src/core/gen/*, spec/*.svg and spec/*.pml from spec/*.fsm
#   make gen-check    fails when the committed generated files differ from a fresh generation
#   make spec-tests   pytest over tests/spec (the generator, the table against the RFC steps)
#   make proof-tools-tests   pytest over tests/proofs (the function selection and report merge of proofs/run.sh)

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

PKGS_TEST := cmocka libidn libcrypto
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
        bench bench-xml traceability gen gen-check spec-tests proof-tools-tests clean \
        record-prosody

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
	@proofs/run_spin.sh
	@proofs/run.sh
	@proofs/run_mutants.sh

# --- benchmarks ---------------------------------------------------------------
bench: bench-xml
bench-xml:
	@bench/run_xml.sh

traceability:
	@/usr/bin/python3 spec/traceability.py

# --- state tables ---------------------------------------------------------------
# spec/fsmgen.py writes, for each spec/NAME.fsm with `machine M`: src/core/gen/xc_M_table.{h,c},
# spec/NAME.svg and spec/NAME.pml. The outputs are committed; gen-check regenerates them into a
# temporary tree and diffs, so a table edited without `make gen` (or a hand edit of an output)
# fails the test run.
FSM := $(sort $(wildcard spec/*.fsm))

gen:
	@/usr/bin/python3 spec/fsmgen.py $(FSM)

gen-check:
	@tmp=$$(mktemp -d /tmp/xmppd-gen.XXXXXX); trap 'rm -rf "$$tmp"' EXIT; \
	/usr/bin/python3 spec/fsmgen.py --out "$$tmp" $(FSM) || exit 1; \
	rc=0; diff -r -u src/core/gen "$$tmp/src/core/gen" || rc=1; \
	for f in "$$tmp"/spec/*; do diff -u "spec/$${f##*/}" "$$f" || rc=1; done; \
	if [ $$rc -ne 0 ]; then \
	  echo "gen-check: the generated files differ from spec/*.fsm: run 'make gen' and commit them"; \
	  echo "gen-check: (an SVG-only difference can come from another Graphviz version: $$(dot -V 2>&1))"; \
	  exit 1; fi; \
	echo "gen-check: src/core/gen and spec/*.svg, spec/*.pml match $(FSM)"

spec-tests:
	@/usr/bin/python3 -m pytest -q tests/spec

proof-tools-tests:
	@/usr/bin/python3 -m pytest -q tests/proofs

test: deps
	$(MAKE) --no-print-directory all
	$(MAKE) --no-print-directory clang-build
	$(MAKE) --no-print-directory unit
	$(MAKE) --no-print-directory asan
	$(MAKE) --no-print-directory replay
	$(MAKE) --no-print-directory traceability
	$(MAKE) --no-print-directory gen-check
	$(MAKE) --no-print-directory spec-tests
	$(MAKE) --no-print-directory proof-tools-tests
	@for t in $(SERVER_TESTS); do $(MAKE) --no-print-directory $$t || exit 1; done

# --- the server shell (src/server, src/tools) --------------------------------
# Each part keeps its own build fragment; a fragment appends its test targets to SERVER_TESTS
# (run by make test) and may define `run` and `bench-c2s`.
SERVER_TESTS :=
-include src/server/sasl.mk
-include src/server/server.mk
# bench/c2s.mk: the C load generator and `make bench-c2s` (xmppd beside Prosody)
-include bench/c2s.mk
# tests/conformance/conformance.mk: `make conformance` (the requirement runner against any server)
-include tests/conformance/conformance.mk

clean:
	rm -rf build
