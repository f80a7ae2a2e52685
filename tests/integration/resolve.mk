# tests/integration/resolve.mk — the program tests/integration/test_s2s_resolve.py drives:
# tests/server/test_resolve.c linked with src/server/resolve.c (c-ares on libuv), run against a
# dnsmasq on loopback. Included by src/server/server.mk (variables B, CC, CFLAGS_ALL, LDFLAGS_ALL;
# INTEGRATION_BINS).
#
#   make build/gcc/tests/server/test_resolve

RESOLVE_PKGS := libcares libuv
RESOLVE_TEST_BIN := $(B)/tests/server/test_resolve
INTEGRATION_BINS += $(RESOLVE_TEST_BIN)

$(RESOLVE_TEST_BIN): tests/server/test_resolve.c src/server/resolve.c src/server/resolve.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -Isrc/server $(shell pkg-config --cflags $(RESOLVE_PKGS)) \
	    tests/server/test_resolve.c src/server/resolve.c $(LDFLAGS_ALL) \
	    $(shell pkg-config --libs $(RESOLVE_PKGS)) -o $@
