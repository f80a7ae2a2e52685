# bench/c2s.mk — the C load generator (bench/xmpp-load) and `make bench-c2s`, xmppd beside
# Prosody. Included by the top-level Makefile (B, CC, CFLAGS_ALL, LDFLAGS_ALL, the $(B)/%.o
# rule). The generator is part of `all`, so the gcc and clang builds keep it warning-free;
# running the benchmark is never part of `make test`.
#
#   make bench-c2s    builds xmppd, xmppctl and the generator, then bench/run_c2s.sh (it
#                     installs Prosody when it is missing; its settings are environment
#                     variables, see bench/README-c2s.md)

XLOAD_SRC := $(sort $(wildcard bench/xmpp-load/*.c))
XLOAD_OBJ := $(XLOAD_SRC:%.c=$(B)/%.o)
XLOAD_BIN := $(B)/xmpp-load

$(XLOAD_OBJ): PC_CFLAGS += $(shell pkg-config --cflags openssl)

all: $(XLOAD_BIN)

$(XLOAD_BIN): $(XLOAD_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) $(XLOAD_OBJ) $(LDFLAGS_ALL) $(shell pkg-config --libs openssl) -o $@

-include $(XLOAD_OBJ:.o=.d)

.PHONY: bench-c2s
bench-c2s: $(B)/xmppd $(B)/xmppctl $(XLOAD_BIN)
	@XMPPD_BIN=$(B)/xmppd XMPPCTL_BIN=$(B)/xmppctl XLOAD_BIN=$(XLOAD_BIN) bench/run_c2s.sh

# Latency against load for both servers (the `curve` scenarios, one run per rate), drawn by
# bench/c2s_plot.py with gnuplot into bench/latency.svg (the plot README.md shows)
.PHONY: bench-latency
bench-latency: $(B)/xmppd $(B)/xmppctl $(XLOAD_BIN)
	@REPS=$${REPS:-1} SCENARIOS=curve PLOT_OUT=$${PLOT_OUT:-bench/latency.svg} XMPPD_BIN=$(B)/xmppd \
	    XMPPCTL_BIN=$(B)/xmppctl XLOAD_BIN=$(XLOAD_BIN) bench/run_c2s.sh

# N (100,000) authenticated TLS sessions held with messages flowing (bench/run_100k.sh; ~25 min)
.PHONY: bench-100k
bench-100k: $(B)/xmppd $(B)/xmppctl $(XLOAD_BIN)
	@XMPPD_BIN=$(B)/xmppd XMPPCTL_BIN=$(B)/xmppctl XLOAD_BIN=$(XLOAD_BIN) bench/run_100k.sh
