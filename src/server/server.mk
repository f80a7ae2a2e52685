# src/server/server.mk — the xmppd binary, `make run`, and the integration tests.
# Included by the top-level Makefile (which defines B, CC, CFLAGS_ALL, LDFLAGS_ALL, ADAPTER_OBJ
# and the $(B)/%.o rule); src/server/sasl.mk is included first and defines SASL_OBJ (the Cyrus
# SASL adapter and the SQLite account store) and builds xmppctl.
#
#   make run               certificate + config in var/, xmppd in the foreground on 5222
#   make server-test       pytest over tests/integration (real xmppd on loopback ports)
#   make server-test-asan  the same against an ASan+UBSan build of xmppd (build/asan-server)

SERVER_SRC := src/server/main.c src/server/config.c src/server/conn.c src/server/transport.c src/server/log.c \
              src/server/router.c src/server/tls.c src/server/tls13_records.c src/server/addr_limits.c src/server/privileges.c \
              src/server/dialback_secret.c src/server/stream_memory.c src/server/random_pool.c src/server/resolve.c \
              src/server/s2s.c src/server/s2s_connect.c src/server/s2s_in.c src/server/s2s_out.c src/server/s2s_verify.c
SERVER_OBJ := $(SERVER_SRC:%.c=$(B)/%.o)
SERVER_PKGS := libuv openssl libconfig libcares
ROUTER_TEST_BIN := $(B)/tests/server/test_router
ADDR_TEST_BIN := $(B)/tests/server/test_addr_limits
TLS_NAMES_TEST_BIN := $(B)/tests/server/test_tls_names
TRANSPORT_TEST_BIN := $(B)/tests/server/test_transport
TLS_HANDOFF_TEST_BIN := $(B)/tests/server/test_tls_handoff
STREAM_MEMORY_TEST_BIN := $(B)/tests/server/test_stream_memory
STRINGPREP_TEST_BIN := $(B)/tests/server/test_stringprep
RANDOM_POOL_TEST_BIN := $(B)/tests/server/test_random_pool
XS_SASL_LIBS = $(shell pkg-config --libs libsasl2 sqlite3 libcrypto)

$(SERVER_OBJ): PC_CFLAGS += $(shell pkg-config --cflags $(SERVER_PKGS))

all: $(B)/xmppd $(ROUTER_TEST_BIN) $(ADDR_TEST_BIN) $(TLS_NAMES_TEST_BIN) $(TRANSPORT_TEST_BIN) $(STREAM_MEMORY_TEST_BIN) \
     $(STRINGPREP_TEST_BIN) $(RANDOM_POOL_TEST_BIN) $(TLS_HANDOFF_TEST_BIN)

$(B)/xmppd: $(SERVER_OBJ) $(SASL_OBJ) $(ADAPTER_OBJ) $(B)/libxcore.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) $(SERVER_OBJ) $(SASL_OBJ) $(ADAPTER_OBJ) $(B)/libxcore.a $(LDFLAGS_ALL) \
	    $(shell pkg-config --libs $(SERVER_PKGS) libidn) $(XS_SASL_LIBS) -o $@

-include $(SERVER_OBJ:.o=.d)

# Unit tests of the router, the per-address limits, stream memory parking, the stringprep adapter, the random pool, the peer-certificate
# names of s2s TLS and the transport on a loopback loop (cmocka); run by server-test before the integration tests.

$(ROUTER_TEST_BIN): tests/server/test_router.c $(B)/src/server/router.o
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -Isrc/server $(PC_CFLAGS) $< $(B)/src/server/router.o $(LDFLAGS_ALL) $(PC_LIBS) -o $@

$(ADDR_TEST_BIN): tests/server/test_addr_limits.c $(B)/src/server/addr_limits.o
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -Isrc/server $(PC_CFLAGS) $< $(B)/src/server/addr_limits.o $(LDFLAGS_ALL) $(PC_LIBS) -o $@

$(STREAM_MEMORY_TEST_BIN): tests/server/test_stream_memory.c $(B)/src/server/stream_memory.o
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -Isrc/core -Isrc/server $(PC_CFLAGS) $< $(B)/src/server/stream_memory.o $(LDFLAGS_ALL) $(PC_LIBS) -o $@

$(RANDOM_POOL_TEST_BIN): tests/server/test_random_pool.c $(B)/src/server/random_pool.o
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -Isrc/server $(PC_CFLAGS) $< $(B)/src/server/random_pool.o $(LDFLAGS_ALL) $(PC_LIBS) \
	    $(shell pkg-config --libs libcrypto) -o $@

$(STRINGPREP_TEST_BIN): tests/server/test_stringprep.c $(B)/src/server/adapter_stringprep_libidn.o
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -Isrc/core -Isrc/server $(PC_CFLAGS) $< $(B)/src/server/adapter_stringprep_libidn.o $(LDFLAGS_ALL) \
	    $(PC_LIBS) $(shell pkg-config --libs libidn) -o $@

$(TLS_NAMES_TEST_BIN): tests/server/test_tls_names.c tests/server/test_certs.c tests/server/test_certs.h \
                       $(B)/src/server/tls.o $(B)/src/server/tls13_records.o $(B)/src/server/log.o $(B)/libxcore.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -Isrc/core -Isrc/server $(PC_CFLAGS) $(shell pkg-config --cflags openssl) $< \
	    tests/server/test_certs.c $(B)/src/server/tls.o $(B)/src/server/tls13_records.o $(B)/src/server/log.o $(B)/libxcore.a $(LDFLAGS_ALL) \
	    $(PC_LIBS) $(shell pkg-config --libs openssl) -o $@

$(TLS_HANDOFF_TEST_BIN): tests/server/test_tls_handoff.c tests/server/test_certs.c tests/server/test_certs.h \
                         $(B)/src/server/tls.o $(B)/src/server/tls13_records.o $(B)/src/server/log.o $(B)/libxcore.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -Isrc/core -Isrc/server $(PC_CFLAGS) $(shell pkg-config --cflags openssl) $< \
	    tests/server/test_certs.c $(B)/src/server/tls.o $(B)/src/server/tls13_records.o $(B)/src/server/log.o \
	    $(B)/libxcore.a $(LDFLAGS_ALL) $(PC_LIBS) $(shell pkg-config --libs openssl) -o $@

$(TRANSPORT_TEST_BIN): tests/server/test_transport.c tests/server/test_certs.c tests/server/test_certs.h \
                       $(B)/src/server/transport.o $(B)/src/server/tls.o $(B)/src/server/tls13_records.o $(B)/src/server/log.o $(B)/libxcore.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -Isrc/core -Isrc/server $(PC_CFLAGS) $(shell pkg-config --cflags openssl libuv) $< \
	    tests/server/test_certs.c $(B)/src/server/transport.o $(B)/src/server/tls.o $(B)/src/server/tls13_records.o $(B)/src/server/log.o \
	    $(B)/libxcore.a $(LDFLAGS_ALL) $(PC_LIBS) $(shell pkg-config --libs openssl libuv) -o $@

.PHONY: run server-test server-test-asan

# var/ is git-ignored: a self-signed certificate for localhost (key mode 0600), the config made
# from etc/xmppd.conf.example (paths in it are relative to var/), the account store.
run: deps
	@$(MAKE) --no-print-directory all
	@mkdir -p var && chmod 700 var
	@if [ ! -f var/localhost.key ]; then \
	  $(B)/xmppctl gencert localhost -d var >/dev/null && \
	  echo "run: made a self-signed certificate for localhost in var/localhost.crt"; fi
	@[ -f var/xmppd.conf ] || { cp etc/xmppd.conf.example var/xmppd.conf && echo "run: wrote var/xmppd.conf"; }
	@echo "run: add a user (the password is read twice on a terminal, else from standard input):"
	@echo "       $(B)/xmppctl -c var/accounts.db adduser user@localhost"
	@echo "run: then log in as user@localhost on 127.0.0.1:5222 (STARTTLS; accept the self-signed certificate)"
	@echo "run: xmppd in the foreground; Ctrl-C stops it (every stream gets <system-shutdown/>)"
	@exec $(B)/xmppd -c var/xmppd.conf -f

# Client programs the integration tests drive (tests/integration/*.mk add to INTEGRATION_BINS).
INTEGRATION_BINS :=
include $(sort $(wildcard tests/integration/*.mk))

server-test: $(B)/xmppd $(ROUTER_TEST_BIN) $(ADDR_TEST_BIN) $(TLS_NAMES_TEST_BIN) $(TRANSPORT_TEST_BIN) \
             $(STREAM_MEMORY_TEST_BIN) $(STRINGPREP_TEST_BIN) $(RANDOM_POOL_TEST_BIN) $(TLS_HANDOFF_TEST_BIN) $(INTEGRATION_BINS)
	@tests/run_unit.sh $(ROUTER_TEST_BIN) $(ADDR_TEST_BIN) $(TLS_NAMES_TEST_BIN) $(TRANSPORT_TEST_BIN) \
	    $(STREAM_MEMORY_TEST_BIN) $(STRINGPREP_TEST_BIN) $(RANDOM_POOL_TEST_BIN) $(TLS_HANDOFF_TEST_BIN)
	@XMPPD_BIN=$(B)/xmppd XMPPCTL_BIN=$(B)/xmppctl /usr/bin/python3 -m pytest -q tests/integration

# LSan: libsasl2 keeps its plugin tables for the life of the process (tests/integration/lsan.supp).
server-test-asan: $(INTEGRATION_BINS)
	@$(MAKE) --no-print-directory CC=clang VARIANT=asan-server OPT="-O1 -g" \
	    EXTRA_CFLAGS="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer -U_FORTIFY_SOURCE" \
	    EXTRA_LDFLAGS="-fsanitize=address,undefined" build/asan-server/xmppd
	@XMPPD_BIN=build/asan-server/xmppd XMPPCTL_BIN=$(B)/xmppctl \
	    ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 LSAN_OPTIONS=suppressions=$(CURDIR)/tests/integration/lsan.supp \
	    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	    /usr/bin/python3 -m pytest -q tests/integration

SERVER_TESTS += server-test
