# tests/conformance/conformance.mk — the requirement runner (tests/conformance/README.md).
# Included by the top-level Makefile after src/server/server.mk (B, CC, CFLAGS_ALL, LDFLAGS_ALL,
# PC_CFLAGS, SERVER_OBJ, SASL_OBJ, ADAPTER_OBJ, SERVER_PKGS, XS_SASL_LIBS).
#
#   make conformance TARGET=host:port DOMAIN=… USER=… PASS=… [USER2=… PASS2=… CAFILE=… …]
#                            runs the runner against any server (every parameter: README.md)
#   make conformance-xmppd   a fresh xmppd on a free loopback port (generated config, certificates,
#                            two accounts), the runner against it; fails below 100% of the MUSTs
#                            it covers. Part of `make test`.
#   make conformance-mutants builds each mutant of xmppd into build/mutants/<name>/ from a
#                            sed-edited copy of one source file and runs the runner against it;
#                            succeeds only when each mutant FAILS the IDs it breaks.

CONF_PY := /usr/bin/python3
CONF_PARAMS := TARGET DOMAIN USER PASS USER2 PASS2 CAFILE DOMAIN2 GONE_HOST UNKNOWN_HOST REMOTE_DOMAIN \
               AUTH_FAILURES BIND_FAILURES STANZA_LIMIT_PREAUTH HANDSHAKE_TIMEOUT IDLE_TIMEOUT PING_TIMEOUT \
               TLS_REQUIRED DIRECT_TLS CLIENT_CERT CLIENT_KEY OTHER_CLIENT_CERT OTHER_CLIENT_KEY \
               CERT_REQUIRED_DOMAIN TIMEOUT REMOTE_TIMEOUT ONLY SKIP VERBOSE JSON CATALOGUE MECH NAME \
               S2S_TARGET PEER_DOMAIN PEER_LISTEN PEER_CERT PEER_KEY S2S_TLS_REQUIRED \
               S2S_HANDSHAKE_TIMEOUT S2S_IDLE_TIMEOUT S2S_UNREACHABLE S2S_CONNECT_TIMEOUT S2S_VERIFY_PENDING S2S_QUEUE \
               S2S_REFUSED_DOMAIN PEER_TRUSTED_CERT PEER_TRUSTED_KEY
# Only what was given on the command line (USER and friends also live in the environment).
conf_arg = $(if $(filter command line override,$(origin $(1))),'$(1)=$(subst ','\'',$($(1)))')

.PHONY: conformance conformance-xmppd conformance-mutants

conformance:
	@$(CONF_PY) tests/conformance/runner.py $(foreach p,$(CONF_PARAMS),$(call conf_arg,$(p)))

conformance-xmppd: $(B)/xmppd $(B)/xmppctl
	@$(CONF_PY) tests/conformance/run_xmppd.py --xmppd $(B)/xmppd --xmppctl $(B)/xmppctl \
	    $(foreach p,ONLY SKIP VERBOSE TIMEOUT,$(call conf_arg,$(p)))

SERVER_TESTS += conformance-xmppd

# --- mutants ----------------------------------------------------------------------------------
# name | source file | sed program (one line changes) | the IDs it must FAIL
#   nostamp:   c2s_write_stamped no longer sets from: a routed stanza keeps the client's from
#              (none, or a forged one) instead of the stream's full JID (RFC 6120 §8.1.2.1)
#   unoffered: classify_auth compares the mechanism against every mechanism xmppd knows, not
#              this stream's offer: EXTERNAL without a client certificate reaches SASL
#              (the CVE-2017-10807 class)
#   dbvalid:   in the DIALBACK state the generated s2s-in table sends a <db:result type='valid'/>
#              from the peer to the row of a VALID verdict: the pending pair is marked verified and
#              answered valid on the peer's own word (XEP-0220 §3.1; the CVE-2012-3525 class)
#   extchain:  cert_ok in the s2s-in core no longer asks for a verified chain: a self-signed
#              certificate naming the peer gets EXTERNAL offered and accepted (XEP-0178 §3; the
#              CVE-2014-3451 class)
#   authzid:   authzid_ok accepts any authzid: EXTERNAL for another domain than the one the
#              certificate names succeeds (XEP-0178 §3; RFC 6120 §6.3.8)
#   extout:    the s2s-out guard external_usable no longer asks for a verified peer certificate:
#              the initiating side uses EXTERNAL offered by a server whose certificate it cannot
#              verify (RFC 6120 §13.7.2.1; the CVE-2014-3451 class)
#   noext:     external_usable is never set: the initiating side always runs dialback, also
#              when EXTERNAL is offered with certificates both sides trust (XEP-0178 §3)
MUTANTS := nostamp unoffered dbvalid extchain authzid extout noext
MUTANT_nostamp_SRC := src/core/xc_c2s_write.c
MUTANT_nostamp_SED := /^int c2s_write_stamped(/,/^}/{/st\.from\.set = 1;/d;}
MUTANT_nostamp_FAILS := STZ-01,STZ-02,BIND-08,RT-10,ERR-11
MUTANT_unoffered_SRC := src/core/xc_c2s_classify.c
MUTANT_unoffered_SED := s/(s->offered \& (1u << m)) != 0 \&\& //
MUTANT_unoffered_FAILS := SASL-02,TLS-15
MUTANT_dbvalid_SRC := src/core/gen/xc_s2s_in_table.c
MUTANT_dbvalid_SED := /^    case XC_S2S_IN_S_DIALBACK:$$/,/^    case XC_S2S_IN_S_AUTHED:$$/s/case XC_S2S_IN_E_DB_RESULT_VALID:/& return 83u;/
MUTANT_dbvalid_FAILS := S2S-04,FED-14
MUTANT_extchain_SRC := src/core/xc_s2s_in.c
MUTANT_extchain_SED := s/if (!s->l.secure || !s->cert_chain_ok || peer.len == 0)/if (!s->l.secure || peer.len == 0)/
MUTANT_extchain_FAILS := FED-15
MUTANT_authzid_SRC := src/core/xc_s2s_in.c
MUTANT_authzid_SED := /^static int authzid_ok(/,/^}/s/if (s->el_text.len == 0 || /if (1 || /
MUTANT_authzid_FAILS := S2S-07
MUTANT_extout_SRC := src/core/xc_s2s_out.c
MUTANT_extout_SED := s/(s->l.secure \&\& s->peer_cert_ok \&\& s->offer_ext)/(s->l.secure \&\& s->offer_ext)/
MUTANT_extout_FAILS := S2S-07
MUTANT_noext_SRC := src/core/xc_s2s_out.c
MUTANT_noext_SED := s/g |= 1u << XC_S2S_OUT_G_EXTERNAL_USABLE;/g |= 0u;/
MUTANT_noext_FAILS := FED-02

MUTANT_DIR := build/mutants

# build/mutants/NAME/xmppd: the server's objects with one object of libxcore rebuilt from the
# edited copy (ar replaces the archive member of the same name).
define mutant_rules
$(MUTANT_DIR)/$(1)/$(notdir $(MUTANT_$(1)_SRC)): $(MUTANT_$(1)_SRC) tests/conformance/conformance.mk
	@mkdir -p $$(dir $$@)
	sed -e '$$(MUTANT_$(1)_SED)' $$< > $$@
	@if cmp -s $$< $$@; then echo "conformance: the $(1) mutation changed nothing in $$<"; rm -f $$@; exit 1; fi
	@diff -u $$< $$@ | sed -n '3,$$$$p' | grep '^[-+]' || true

$(MUTANT_DIR)/$(1)/xmppd: $(MUTANT_DIR)/$(1)/$(notdir $(MUTANT_$(1)_SRC)) $(B)/libxcore.a $(SERVER_OBJ) $(SASL_OBJ) $(ADAPTER_OBJ)
	$(CC) $(CFLAGS_ALL) -I$(dir $(MUTANT_$(1)_SRC)) -Isrc/core -Isrc/server $(PC_CFLAGS) -c $$< -o $(MUTANT_DIR)/$(1)/mutant.o
	cp $(B)/libxcore.a $(MUTANT_DIR)/$(1)/libxcore.a
	cp $(MUTANT_DIR)/$(1)/mutant.o $(MUTANT_DIR)/$(1)/$(notdir $(MUTANT_$(1)_SRC:.c=.o))
	ar r $(MUTANT_DIR)/$(1)/libxcore.a $(MUTANT_DIR)/$(1)/$(notdir $(MUTANT_$(1)_SRC:.c=.o))
	$(CC) $(CFLAGS_ALL) $(SERVER_OBJ) $(SASL_OBJ) $(ADAPTER_OBJ) $(MUTANT_DIR)/$(1)/libxcore.a $(LDFLAGS_ALL) \
	    $(shell pkg-config --libs $(SERVER_PKGS) libidn) $(XS_SASL_LIBS) -o $$@
endef
$(foreach m,$(MUTANTS),$(eval $(call mutant_rules,$(m))))

conformance-mutants: $(B)/xmppctl $(foreach m,$(MUTANTS),$(MUTANT_DIR)/$(m)/xmppd)
	@rc=0; \
	$(foreach m,$(MUTANTS),echo "conformance-mutants: $(m) ($(MUTANT_$(m)_SRC)) must FAIL $(MUTANT_$(m)_FAILS)"; \
	  $(CONF_PY) tests/conformance/run_xmppd.py --xmppd $(MUTANT_DIR)/$(m)/xmppd --xmppctl $(B)/xmppctl \
	      --expect-fail $(MUTANT_$(m)_FAILS) || rc=1;) \
	if [ $$rc -eq 0 ]; then echo "conformance-mutants: every mutant caught"; \
	else echo "conformance-mutants: a mutant escaped"; fi; exit $$rc
