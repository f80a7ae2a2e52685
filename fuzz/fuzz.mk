# fuzz/fuzz.mk — included by the top-level Makefile.
# Every fuzz/fuzz_<name>.c is one harness with LLVMFuzzerTestOneInput. It is built three ways:
#   build/replay/<name>   ASan+UBSan, plain main() that runs files (corpus replay in make test)
#   build/libfuzzer/<name> clang -fsanitize=fuzzer,address,undefined (campaigns)
#   build/afl/<name>      afl-clang-fast with AFL++'s libFuzzer driver (campaigns, cmplog)
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_CFLAGS := -std=c11 -D_DEFAULT_SOURCE -O1 -g -Wall -Wextra -Werror -Isrc/core -Isrc/server -Ifuzz \
               $(shell pkg-config --cflags libidn expat)
FUZZ_LIBS := $(shell pkg-config --libs libidn expat)
FUZZ_LIB_SRC := $(CORE_SRC) $(ADAPTER_SRC) $(sort $(wildcard fuzz/support_*.c))
H ?= xml
T ?= 600

build/replay/%: fuzz/fuzz_%.c fuzz/replay_main.c $(FUZZ_LIB_SRC) $(wildcard src/core/*.h fuzz/*.h)
	@mkdir -p $(dir $@)
	clang $(FUZZ_CFLAGS) $(FUZZ_SAN) $< fuzz/replay_main.c $(FUZZ_LIB_SRC) $(FUZZ_LIBS) -o $@

build/libfuzzer/%: fuzz/fuzz_%.c $(FUZZ_LIB_SRC) $(wildcard src/core/*.h fuzz/*.h)
	@mkdir -p $(dir $@)
	clang $(FUZZ_CFLAGS) -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	    $< $(FUZZ_LIB_SRC) $(FUZZ_LIBS) -o $@

build/afl/%: fuzz/fuzz_%.c $(FUZZ_LIB_SRC) $(wildcard src/core/*.h fuzz/*.h)
	@mkdir -p $(dir $@)
	AFL_QUIET=1 afl-clang-fast $(FUZZ_CFLAGS) -fsanitize=fuzzer $< $(FUZZ_LIB_SRC) $(FUZZ_LIBS) -o $@

# Corpus replay: every seed and every saved reproducer through every harness, sanitizers on.
replay: $(FUZZ_NAMES:%=build/replay/%)
	@fuzz/replay.sh $(FUZZ_NAMES)

fuzz-build: $(FUZZ_NAMES:%=build/libfuzzer/%) $(FUZZ_NAMES:%=build/afl/%)

# One campaign: make fuzz H=xml T=600
fuzz: build/libfuzzer/$(H)
	@fuzz/campaign.sh $(H) $(T)

# CI smoke: each harness for a short while from its corpus.
fuzz-smoke: $(FUZZ_NAMES:%=build/libfuzzer/%)
	@for h in $(FUZZ_NAMES); do fuzz/campaign.sh $$h $${FUZZ_SMOKE_SECONDS:-30} --no-merge || exit 1; done
