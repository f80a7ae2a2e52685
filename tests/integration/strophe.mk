# tests/integration/strophe.mk — the libstrophe client the integration tests drive
# (tests/integration/strophe_client.c; test_c2s_libstrophe.py runs it). Included by
# src/server/server.mk (variables B, CC, CFLAGS_ALL, LDFLAGS_ALL; INTEGRATION_BINS).
# Not part of `all`: only the integration tests need libstrophe (.ci/deps.sh installs it).
#
#   make build/gcc/tests/integration/strophe_client

STROPHE_PKGS := libstrophe
STROPHE_CLIENT := $(B)/tests/integration/strophe_client
INTEGRATION_BINS += $(STROPHE_CLIENT)

$(STROPHE_CLIENT): tests/integration/strophe_client.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) $(shell pkg-config --cflags $(STROPHE_PKGS)) $< $(LDFLAGS_ALL) \
	    $(shell pkg-config --libs $(STROPHE_PKGS)) -o $@
