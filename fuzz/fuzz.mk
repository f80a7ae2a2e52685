# fuzz/fuzz.mk — included by the top-level Makefile.
# Every fuzz/fuzz_<name>.c is one harness with LLVMFuzzerTestOneInput. It is built three ways:
#   build/replay/<name>   ASan+UBSan, plain main() that runs files (corpus replay in make test)
#   build/libfuzzer/<name> clang -fsanitize=fuzzer,address,undefined (campaigns)
#   build/afl/<name>      afl-clang-fast with AFL++'s libFuzzer driver (campaigns, cmplog)
# A harness that needs more than FUZZ_LIB_SRC (core + adapters + fuzz/support_*.c) names it in
# FUZZ_EXTRA_SRC_<name>, FUZZ_EXTRA_CFLAGS_<name> and FUZZ_EXTRA_LIBS_<name>; the extra sources
# are also prerequisites of its three binaries. fuzz/<name>.lsan.supp, when present, holds
# LeakSanitizer suppressions for that harness only (replay.sh and campaign.sh pass it).
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_CFLAGS := -std=c11 -D_DEFAULT_SOURCE -O1 -g -Wall -Wextra -Werror -Isrc/core -Isrc/server -Ifuzz \
               $(shell pkg-config --cflags libidn expat libcrypto)
FUZZ_LIBS := $(shell pkg-config --libs libidn expat libcrypto)
FUZZ_LIB_SRC := $(CORE_SRC) $(ADAPTER_SRC) $(sort $(wildcard fuzz/support_*.c))
H ?= xml
T ?= 600

# fuzz_sasl: the Cyrus SASL adapter over the SQLite store, with Cyrus's plugin directory fixed
# at build time exactly as src/server/sasl.mk compiles sasl_server.c.
FUZZ_SASL_PKGS := libsasl2 sqlite3 libcrypto
FUZZ_EXTRA_SRC_sasl := src/server/sasl_server.c src/server/store_sqlite.c
FUZZ_EXTRA_CFLAGS_sasl := $(shell pkg-config --cflags $(FUZZ_SASL_PKGS)) \
    -DXS_SASL_PLUGIN_DIR='"$(shell pkg-config --variable=libdir libsasl2)/sasl2"'
FUZZ_EXTRA_LIBS_sasl := $(shell pkg-config --libs $(FUZZ_SASL_PKGS))

# fuzz_tls13_records: the record layer of handed-over TLS 1.3 sessions (src/server).
FUZZ_EXTRA_SRC_tls13_records := src/server/tls13_records.c

# Extra prerequisites (no recipe: the pattern rules below still build these targets).
$(foreach h,$(FUZZ_NAMES),$(if $(FUZZ_EXTRA_SRC_$(h)),$(eval build/replay/$(h) build/libfuzzer/$(h) \
    build/afl/$(h): $(FUZZ_EXTRA_SRC_$(h)) $(wildcard $(FUZZ_EXTRA_SRC_$(h):.c=.h)))))

build/replay/%: fuzz/fuzz_%.c fuzz/replay_main.c $(FUZZ_LIB_SRC) $(wildcard src/core/*.h fuzz/*.h)
	@mkdir -p $(dir $@)
	clang $(FUZZ_CFLAGS) $(FUZZ_EXTRA_CFLAGS_$*) $(FUZZ_SAN) $< fuzz/replay_main.c $(FUZZ_LIB_SRC) \
	    $(FUZZ_EXTRA_SRC_$*) $(FUZZ_LIBS) $(FUZZ_EXTRA_LIBS_$*) -o $@

build/libfuzzer/%: fuzz/fuzz_%.c $(FUZZ_LIB_SRC) $(wildcard src/core/*.h fuzz/*.h)
	@mkdir -p $(dir $@)
	clang $(FUZZ_CFLAGS) $(FUZZ_EXTRA_CFLAGS_$*) -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	    $< $(FUZZ_LIB_SRC) $(FUZZ_EXTRA_SRC_$*) $(FUZZ_LIBS) $(FUZZ_EXTRA_LIBS_$*) -o $@

build/afl/%: fuzz/fuzz_%.c $(FUZZ_LIB_SRC) $(wildcard src/core/*.h fuzz/*.h)
	@mkdir -p $(dir $@)
	AFL_QUIET=1 afl-clang-fast $(FUZZ_CFLAGS) $(FUZZ_EXTRA_CFLAGS_$*) -fsanitize=fuzzer $< $(FUZZ_LIB_SRC) \
	    $(FUZZ_EXTRA_SRC_$*) $(FUZZ_LIBS) $(FUZZ_EXTRA_LIBS_$*) -o $@

# Corpus replay: every seed and every saved reproducer through every harness, sanitizers on.
replay: $(FUZZ_NAMES:%=build/replay/%)
	@fuzz/replay.sh $(FUZZ_NAMES)

fuzz-build: $(FUZZ_NAMES:%=build/libfuzzer/%) $(FUZZ_NAMES:%=build/afl/%)

# One campaign: make fuzz H=xml T=600
fuzz: build/libfuzzer/$(H)
	@fuzz/campaign.sh $(H) $(T)

# Seeds from real exchanges with Prosody (issue 6): fuzz/record_s2s_prosody.py records the
# interop runs through STARTTLS-aware proxies into fuzz/recorded/, fuzz/seeds_from_recorded.py
# cuts them into corpus/s2s_in, corpus/s2s_out and corpus/s2s_verify (recorded-*).
record-prosody: deps build/gcc/xmppd build/gcc/xmppctl
	/usr/bin/python3 fuzz/record_s2s_prosody.py
	/usr/bin/python3 fuzz/seeds_from_recorded.py

# CI smoke: each harness for a short while from its corpus.
fuzz-smoke: $(FUZZ_NAMES:%=build/libfuzzer/%)
	@for h in $(FUZZ_NAMES); do fuzz/campaign.sh $$h $${FUZZ_SMOKE_SECONDS:-30} --no-merge || exit 1; done
