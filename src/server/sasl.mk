# src/server/sasl.mk — the account store, the Cyrus SASL adapter, xmppctl and their test.
# Included by the top-level Makefile (variables B, CC, CFLAGS_ALL, LDFLAGS_ALL, PC_CFLAGS,
# PC_LIBS, the $(B)/%.o rule, SERVER_TESTS).
#
#   SASL_OBJ    objects the server links (with $(SASL_LIBS), libxcore and the libidn adapter)
#   make sasl-test   builds and runs tests/server/test_sasl.c (real Cyrus client and server)

SASL_PKGS := libsasl2 sqlite3 libcrypto libidn
SASL_CFLAGS := $(shell pkg-config --cflags $(SASL_PKGS))
SASL_LIBS := $(shell pkg-config --libs $(SASL_PKGS))
# Cyrus's plugin directory, fixed at build time (SASL_PATH in the environment is not consulted).
SASL_PLUGIN_DIR := $(shell pkg-config --variable=libdir libsasl2)/sasl2

SASL_OBJ := $(B)/src/server/sasl_server.o $(B)/src/server/store_sqlite.o
SASL_STRINGPREP_OBJ := $(B)/src/server/adapter_stringprep_libidn.o
# xmppctl checkconfig runs the server's own loader and certificate loading (config.o, tls.o),
# so it and `xmppd -t` cannot disagree; gencert is src/tools/gencert.c.
XMPPCTL_OBJ := $(B)/src/tools/xmppctl.o $(B)/src/tools/gencert.o $(B)/src/server/store_sqlite.o \
               $(B)/src/server/config.o $(B)/src/server/log.o $(B)/src/server/tls.o $(B)/src/server/tls13_records.o
XMPPCTL_LIBS = $(shell pkg-config --libs libconfig openssl) $(SASL_LIBS)
SASL_TEST_BIN := $(B)/tests/server/test_sasl

$(B)/src/server/sasl_server.o: CFLAGS_ALL += $(SASL_CFLAGS) -DXS_SASL_PLUGIN_DIR='"$(SASL_PLUGIN_DIR)"'
$(B)/src/server/store_sqlite.o $(B)/src/tools/xmppctl.o $(B)/src/tools/gencert.o: CFLAGS_ALL += $(SASL_CFLAGS)

all: $(B)/xmppctl

$(B)/xmppctl: $(XMPPCTL_OBJ) $(B)/libxcore.a $(SASL_STRINGPREP_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) $(XMPPCTL_OBJ) $(SASL_STRINGPREP_OBJ) $(B)/libxcore.a $(LDFLAGS_ALL) $(XMPPCTL_LIBS) -o $@

$(SASL_TEST_BIN): tests/server/test_sasl.c $(SASL_OBJ) $(B)/libxcore.a $(SASL_STRINGPREP_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -Isrc/core -Isrc/server $(PC_CFLAGS) $(SASL_CFLAGS) -DXS_TEST_XMPPCTL='"$(B)/xmppctl"' \
	    $< $(SASL_OBJ) $(SASL_STRINGPREP_OBJ) $(B)/libxcore.a $(LDFLAGS_ALL) $(PC_LIBS) $(SASL_LIBS) -o $@

-include $(SASL_OBJ:.o=.d) $(B)/src/tools/xmppctl.d $(B)/src/tools/gencert.d

# Not under ASan: libsasl2 leaks by design (DESIGN.md, Known traps "Cyrus SASL").
.PHONY: sasl-test
sasl-test: $(SASL_TEST_BIN) $(B)/xmppctl
	@tests/run_unit.sh $(SASL_TEST_BIN)

SERVER_TESTS += sasl-test
