#!/usr/bin/env bash
# bench/conformance_prosody.sh — the conformance runner (tests/conformance/) against Prosody and
# against xmppd, side by side; writes spec/CONFORMANCE.md (the table, and an explanation for every
# Prosody deviation from tests/conformance/prosody_notes.tsv).
#
#   bench/conformance_prosody.sh            (make all first: build/gcc/xmppd, build/gcc/xmppctl)
#
# Prosody is the Debian package (apt-get install -y prosody when it is missing; it is not part of
# .ci/deps.sh). Its Debian service is never started or relied on: this script runs its own
# instance in the foreground as user prosody, from a generated configuration in a temporary
# directory, on a free loopback port — c2s_require_encryption on, a test certificate per host
# (openssl), two accounts made with prosodyctl — and stops it at the end. xmppd runs through
# tests/conformance/run_xmppd.py (its own fresh instance). Environment: XMPPD_BIN, XMPPCTL_BIN,
# OUT (default spec/CONFORMANCE.md), KEEP=1 keeps the temporary directory.
#
# s2s: Prosody finds peers by DNS only (SRV, then A/AAAA; it has no static host map), so
# bench/conformance_dns.py runs a dnsmasq on a loopback port (tests/integration/prosody_env.py's,
# as in tests/integration/test_s2s_prosody.py) answering _xmpp-server._tcp SRV records: the
# runner's PEER_DOMAIN at its PEER_LISTEN port, S2S_UNREACHABLE at a port nobody listens on.
# Prosody's libunbound forwards to it alone. The runner's peer certificate is self-signed, so
# Prosody authenticates it by dialback (s2s_secure_auth = false, s2s_require_encryption = true).
# SASL EXTERNAL (S2S-07, FED-15): a test CA (openssl) issues PEER_TRUSTED_CERT for the peer domain
# and Prosody trusts it for s2s (s2s_ssl = { cafile = … }, beside the system CAs).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
XMPPD_BIN=${XMPPD_BIN:-$ROOT/build/gcc/xmppd}
XMPPCTL_BIN=${XMPPCTL_BIN:-$ROOT/build/gcc/xmppctl}
OUT=${OUT:-$ROOT/spec/CONFORMANCE.md}
PY=/usr/bin/python3
DOMAIN=conformance.test
DOMAIN2=second.conformance.test
C2S_TIMEOUT=5        # c2s_timeout and ssl_handshake_timeout: HANDSHAKE_TIMEOUT for the runner
STANZA_LIMIT=10000   # c2s_stanza_size_limit: STANZA_LIMIT_PREAUTH (the cap xmppd uses before authentication)
S2S_TIMEOUT=5        # s2s_timeout (an s2s stream not authenticated by then is closed): S2S_HANDSHAKE_TIMEOUT
CONNECT_TIMEOUT=5    # network_settings.connect_timeout: S2S_CONNECT_TIMEOUT
PEER=peer.conformance-runner.test          # the runner's PEER_DOMAIN (as run_xmppd.py names it)
UNREACHABLE=unreachable.conformance-runner.test

say() { printf 'conformance-prosody: %s\n' "$*"; }
die() { say "$*" >&2; exit 1; }

[ -x "$XMPPD_BIN" ] && [ -x "$XMPPCTL_BIN" ] || die "build xmppd first (make all): $XMPPD_BIN"

# --- Prosody: the Debian package; its service is kept from running -----------------------------
service_running() { [ -f /run/prosody/prosody.pid ] && kill -0 "$(cat /run/prosody/prosody.pid)" 2>/dev/null; }
if ! command -v prosody >/dev/null || ! command -v prosodyctl >/dev/null; then
    was_running=0
    say "installing Prosody (apt-get install -y prosody; its service is not started)"
    { apt-get update -qq && RUNLEVEL=1 DEBIAN_FRONTEND=noninteractive apt-get install -y -qq prosody; } \
        >/tmp/conformance-prosody-apt.log 2>&1 || die "apt-get install prosody failed (/tmp/conformance-prosody-apt.log)"
    if service_running; then   # started by this installation: stop it again
        if command -v systemctl >/dev/null && [ -d /run/systemd/system ]; then
            systemctl disable --now prosody.service >/dev/null 2>&1 || true
        else
            /etc/init.d/prosody stop >/dev/null 2>&1 || true
        fi
    fi
fi
PROSODY_VERSION=$(dpkg-query -W -f='${Version}' prosody 2>/dev/null || echo "?")

RUN=$(mktemp -d /tmp/conformance-prosody.XXXXXX)
chmod 711 "$RUN"   # Prosody runs as user prosody
PD=$RUN/prosody
mkdir -p "$PD/data" "$PD/certs"
PROSODY_PID=""
DNS_PID=""
cleanup() {
    if [ -n "$DNS_PID" ] && kill -0 "$DNS_PID" 2>/dev/null; then
        kill -TERM "$DNS_PID" 2>/dev/null || true
        wait "$DNS_PID" 2>/dev/null || true
    fi
    if [ -n "$PROSODY_PID" ] && kill -0 "$PROSODY_PID" 2>/dev/null; then
        kill -TERM "$PROSODY_PID" 2>/dev/null || true
        for _ in $(seq 1 50); do kill -0 "$PROSODY_PID" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$PROSODY_PID" 2>/dev/null || true
    fi
    if [ "${KEEP:-0}" = 1 ]; then say "kept $RUN"; else rm -rf "$RUN"; fi
}
trap cleanup EXIT

free_port() { "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
PORT=$(free_port)
S2S_PORT=$(free_port)
PEER_PORT=$(free_port)   # the runner's PEER_LISTEN
DEAD_PORT=$(free_port)   # S2S_UNREACHABLE's SRV target: nobody listens there

for host in "$DOMAIN" "$DOMAIN2"; do
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj "/CN=$host" \
        -addext "subjectAltName=DNS:$host" -keyout "$PD/certs/$host.key" -out "$PD/certs/$host.crt" 2>/dev/null
done
chmod 0600 "$PD"/certs/*.key
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj "/CN=$PEER" \
    -addext "subjectAltName=DNS:$PEER" -keyout "$RUN/$PEER.key" -out "$RUN/$PEER.crt" 2>/dev/null
# the s2s CA Prosody trusts and the runner's PEER_TRUSTED_CERT from it (DNS-ID and id-on-xmppAddr, as
# run_xmppd.py's issue_server)
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj "/CN=conformance s2s CA" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -keyout "$RUN/s2s-ca.key" -out "$PD/certs/s2s-ca.crt" 2>/dev/null
printf '%s\n' "basicConstraints=CA:FALSE" "keyUsage=critical,digitalSignature,keyEncipherment" \
    "extendedKeyUsage=serverAuth,clientAuth" "subjectAltName=DNS:$PEER,otherName:1.3.6.1.5.5.7.8.5;UTF8:$PEER" \
    >"$RUN/trusted.ext"
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj "/CN=$PEER" \
    -keyout "$RUN/trusted.key" -out "$RUN/trusted.csr" 2>/dev/null
openssl x509 -req -in "$RUN/trusted.csr" -CA "$PD/certs/s2s-ca.crt" -CAkey "$RUN/s2s-ca.key" \
    -set_serial "$(date +%s%N)" -days 2 -extfile "$RUN/trusted.ext" -out "$RUN/trusted.crt" 2>/dev/null

# the dnsmasq answers for the runner's .test domains (RFC 6761) and asks nothing upstream, so
# REMOTE_DOMAIN (nonexistent.invalid) fails to resolve at once
"$PY" "$ROOT/bench/conformance_dns.py" "$RUN/dns" "$RUN/dns.port" "$PEER=$PEER_PORT" "$UNREACHABLE=$DEAD_PORT" \
    >"$RUN/dns.out" 2>&1 &
DNS_PID=$!
for _ in $(seq 1 100); do
    [ -s "$RUN/dns.port" ] && break
    kill -0 "$DNS_PID" 2>/dev/null || die "dnsmasq did not start: $(cat "$RUN/dns.out")"
    sleep 0.1
done
[ -s "$RUN/dns.port" ] || die "dnsmasq did not answer within 10 s: $(cat "$RUN/dns.out")"
DNS_PORT=$(cat "$RUN/dns.port")

cat >"$PD/prosody.cfg.lua" <<EOF
-- generated by bench/conformance_prosody.sh
pidfile = "$PD/prosody.pid"
data_path = "$PD/data"
certificates = "$PD/certs"
log = { info = "$PD/prosody.log" }
c2s_ports = { $PORT }
c2s_interfaces = { "127.0.0.1" }
c2s_direct_tls_ports = { }
s2s_ports = { $S2S_PORT }
s2s_interfaces = { "127.0.0.1" }
modules_enabled = { "roster", "saslauth", "tls", "dialback", "disco", "ping", "posix" }
c2s_require_encryption = true
c2s_timeout = $C2S_TIMEOUT
c2s_stanza_size_limit = $STANZA_LIMIT
authentication = "internal_hashed"
s2s_require_encryption = true
s2s_secure_auth = false
s2s_timeout = $S2S_TIMEOUT
s2s_ssl = { cafile = "$PD/certs/s2s-ca.crt" }
network_settings = { nagle = false, ssl_handshake_timeout = $C2S_TIMEOUT, connect_timeout = $CONNECT_TIMEOUT }
-- libunbound asks only the dnsmasq; without the local-zone line it answers NXDOMAIN for the
-- special-use .test itself (as tests/integration/prosody_env.py)
unbound = { resolvconf = false, hoststxt = false, forward = "127.0.0.1@$DNS_PORT",
            options = { ["local-zone:"] = "test. transparent" } }
VirtualHost "$DOMAIN"
  ssl = { certificate = "$PD/certs/$DOMAIN.crt", key = "$PD/certs/$DOMAIN.key" }
VirtualHost "$DOMAIN2"
  ssl = { certificate = "$PD/certs/$DOMAIN2.crt", key = "$PD/certs/$DOMAIN2.key" }
EOF
chown -R prosody:prosody "$PD"

PASS1=$("$PY" -c 'import secrets; print(secrets.token_urlsafe(12))')
PASS2=$("$PY" -c 'import secrets; print(secrets.token_urlsafe(12))')
for u in "juliet $PASS1" "romeo $PASS2"; do
    set -- $u
    setpriv --reuid=prosody --regid=prosody --init-groups prosodyctl --config "$PD/prosody.cfg.lua" \
        register "$1" "$DOMAIN" "$2" >>"$PD/prosodyctl.out" 2>&1 || die "prosodyctl register $1: $(cat "$PD/prosodyctl.out")"
done

say "starting Prosody $PROSODY_VERSION on 127.0.0.1:$PORT"
(cd "$PD" && exec setpriv --reuid=prosody --regid=prosody --init-groups prosody -F --config "$PD/prosody.cfg.lua" \
    >>"$PD/prosody.out" 2>&1) &
PROSODY_PID=$!
for _ in $(seq 1 100); do
    kill -0 "$PROSODY_PID" 2>/dev/null || die "Prosody exited: $(tail -5 "$PD/prosody.out" "$PD/prosody.log" 2>/dev/null)"
    [ -n "$(ss -Hltn "sport = :$PORT" 2>/dev/null)" ] && break
    sleep 0.1
done

# Prosody has no setting for the failure limits the runner needs: it is run with the largest
# counts RFC 6120 allows (§6.4.5: 1 attempt + at most 5 retries; §7.7.3: 1 + at most 10).
say "the runner against Prosody"
set +e
"$PY" "$ROOT/tests/conformance/runner.py" NAME="Prosody $PROSODY_VERSION" TARGET="127.0.0.1:$PORT" \
    DOMAIN="$DOMAIN" USER=juliet PASS="$PASS1" USER2=romeo PASS2="$PASS2" DOMAIN2="$DOMAIN2" \
    TLS_REQUIRED=yes HANDSHAKE_TIMEOUT="$C2S_TIMEOUT" STANZA_LIMIT_PREAUTH="$STANZA_LIMIT" \
    AUTH_FAILURES=6 BIND_FAILURES=11 \
    S2S_TARGET="127.0.0.1:$S2S_PORT" PEER_DOMAIN="$PEER" PEER_LISTEN="127.0.0.1:$PEER_PORT" \
    PEER_CERT="$RUN/$PEER.crt" PEER_KEY="$RUN/$PEER.key" S2S_TLS_REQUIRED=yes \
    PEER_TRUSTED_CERT="$RUN/trusted.crt" PEER_TRUSTED_KEY="$RUN/trusted.key" \
    S2S_HANDSHAKE_TIMEOUT="$S2S_TIMEOUT" S2S_UNREACHABLE="$UNREACHABLE" S2S_CONNECT_TIMEOUT="$CONNECT_TIMEOUT" \
    JSON="$RUN/prosody.json" >"$RUN/prosody.txt"
prc=$?
say "the runner against xmppd"
"$PY" "$ROOT/tests/conformance/run_xmppd.py" --xmppd "$XMPPD_BIN" --xmppctl "$XMPPCTL_BIN" \
    --json "$RUN/xmppd.json" >"$RUN/xmppd.txt"
xrc=$?
set -e
tail -n 2 "$RUN/prosody.txt" | sed 's/^/  Prosody: /'
tail -n 2 "$RUN/xmppd.txt" | sed 's/^/  xmppd:   /'
[ -s "$RUN/prosody.json" ] && [ -s "$RUN/xmppd.json" ] || die "a runner wrote no results (exit $prc, $xrc)"

"$PY" "$ROOT/tests/conformance/report.py" --xmppd "$RUN/xmppd.json" --prosody "$RUN/prosody.json" \
    --notes "$ROOT/tests/conformance/prosody_notes.tsv" --prosody-version "$PROSODY_VERSION" \
    --xmppd-version "$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')" >"$OUT"
say "wrote ${OUT#$ROOT/}"
[ "$xrc" -eq 0 ] || die "xmppd failed a MUST (see $OUT)"
