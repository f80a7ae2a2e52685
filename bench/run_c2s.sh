#!/usr/bin/env bash
# bench/run_c2s.sh — `make bench-c2s`: xmppd beside Prosody under the same c2s load.
#
# Both servers get the same certificate (EC P-256 from `xmppctl gencert`), TLS 1.3 (the
# generator offers nothing else), SCRAM with the same mechanism and iteration count, Nagle off,
# warn-level logging, loopback only. Each scenario starts a fresh server pinned to SERVER_CPU and
# runs bench/xmpp-load pinned to LOAD_CPU, xmppd then Prosody, REPS times; bench/c2s_table.py
# prints medians and xmppd/Prosody ratios beside both configurations. Prosody runs as its own
# instance (user prosody, generated config, temporary directory), never as the system service.
#
# Settings (environment; defaults keep the whole run under 15 minutes on 2 cores):
#   REPS=3                 repetitions of every scenario
#   SCENARIOS="login msg rate idle"   which scenarios run
#   LOGIN_ACCOUNTS=200 LOGIN_CONC=50 LOGIN_SECS=10      login churn
#   MSG_PAIRS=50 MSG_SECS=20 MSG_WARMUP=2 MSG_WINDOW=8   messages flat out
#   RATE=2000 RATE_SECS=10                              messages at a fixed rate (latency)
#   CURVE_RATES="2000 5000 10000 20000 40000 80000 160000" CURVE_SECS=8
#                          latency against load: one run per rate (scenario `curve`, not in the
#                          default list); bench/c2s_plot.py draws <run>/results/latency.svg with
#                          gnuplot, copied to PLOT_OUT when that is set
#   IDLE_N="1000 5000" IDLE_SECS=10 IDLE_CONC=100        idle TLS sessions (memory per session)
#   IDLE_LARGE_REPS=1      repetitions of idle runs above 1000 sessions
#   SCRAM_ITER=4096 MECH=SCRAM-SHA-256 (or SCRAM-SHA-1)
#   SERVER_CPU=0 LOAD_CPU=1
#   BENCH_DIR=/tmp/bench   where the run's directory (configs, logs, results) is made
#   XMPPD_ENV=""           extra environment for xmppd, e.g. MALLOC_MMAP_THRESHOLD_=131072
#   XMPPD_BIN XMPPCTL_BIN XLOAD_BIN  (set by `make bench-c2s`)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

REPS=${REPS:-3}
SCENARIOS=${SCENARIOS:-"login msg rate idle"}
LOGIN_ACCOUNTS=${LOGIN_ACCOUNTS:-200}; LOGIN_CONC=${LOGIN_CONC:-50}; LOGIN_SECS=${LOGIN_SECS:-10}
MSG_PAIRS=${MSG_PAIRS:-50}; MSG_SECS=${MSG_SECS:-20}; MSG_WARMUP=${MSG_WARMUP:-2}; MSG_WINDOW=${MSG_WINDOW:-8}
RATE=${RATE:-2000}; RATE_SECS=${RATE_SECS:-10}
CURVE_RATES=${CURVE_RATES:-"2000 5000 10000 20000 40000 80000 160000"}; CURVE_SECS=${CURVE_SECS:-8}
PLOT_OUT=${PLOT_OUT:-}
IDLE_N=${IDLE_N:-"1000 5000"}; IDLE_SECS=${IDLE_SECS:-10}; IDLE_CONC=${IDLE_CONC:-100}
IDLE_LARGE_REPS=${IDLE_LARGE_REPS:-1}
SCRAM_ITER=${SCRAM_ITER:-4096}; MECH=${MECH:-SCRAM-SHA-256}
SERVER_CPU=${SERVER_CPU:-0}; LOAD_CPU=${LOAD_CPU:-1}
BENCH_DIR=${BENCH_DIR:-/tmp/bench}
XMPPD_ENV=${XMPPD_ENV:-}
XMPPD_BIN=$(realpath "${XMPPD_BIN:-build/gcc/xmppd}")
XMPPCTL_BIN=$(realpath "${XMPPCTL_BIN:-build/gcc/xmppctl}")
XLOAD_BIN=$(realpath "${XLOAD_BIN:-build/gcc/xmpp-load}")
PASSWORD=bench-$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')
DOMAIN=localhost
PY=/usr/bin/python3

say() { echo "bench-c2s: $*"; }
die() { echo "bench-c2s: $*" >&2; exit 1; }

for b in "$XMPPD_BIN" "$XMPPCTL_BIN" "$XLOAD_BIN"; do [ -x "$b" ] || die "$b is missing (make all)"; done
case $MECH in
SCRAM-SHA-256) PROSODY_HASH=SHA-256; PROSODY_OFF='"PLAIN", "SCRAM-SHA-1", "SCRAM-SHA-1-PLUS"' ;;
SCRAM-SHA-1) PROSODY_HASH=SHA-1; PROSODY_OFF='"PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-256-PLUS"' ;;
*) die "MECH must be SCRAM-SHA-256 or SCRAM-SHA-1" ;;
esac
[ "$(nproc)" -ge 2 ] || die "needs two CPUs (server on $SERVER_CPU, generator on $LOAD_CPU)"

# --- Prosody: installed when missing; the system service is never left running -----------------
system_prosody_stop() {
    if [ -d /run/systemd/system ] && command -v systemctl >/dev/null; then
        systemctl stop prosody.service >/dev/null 2>&1 || true
    elif [ -x /etc/init.d/prosody ]; then
        /etc/init.d/prosody stop >/dev/null 2>&1 || true
    fi
}

if ! command -v prosody >/dev/null || ! command -v prosodyctl >/dev/null; then
    say "installing Prosody (Debian package; its service is kept from starting)"
    # policy-rc.d answering 101 keeps the package's service from starting during the install
    made_policy=0
    if [ ! -e /usr/sbin/policy-rc.d ]; then
        printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d && made_policy=1
    fi
    rc=0
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq prosody lua-unbound; } \
        >/tmp/bench-c2s-apt.log 2>&1 || rc=$?
    [ $made_policy -eq 1 ] && rm -f /usr/sbin/policy-rc.d
    [ $rc -eq 0 ] || die "apt-get install prosody failed (see /tmp/bench-c2s-apt.log)"
    # not at boot either (systemctl disable also works without a running systemd)
    if command -v systemctl >/dev/null; then
        systemctl disable prosody.service >/dev/null 2>&1 || true
    fi
fi
system_prosody_stop
PROSODY_VERSION=$(dpkg-query -W -f='${Version}' prosody 2>/dev/null || echo "?")

# --- what fits: descriptors and memory --------------------------------------------------------------
max_idle=0
for n in $IDLE_N; do [ "$n" -gt "$max_idle" ] && max_idle=$n; done
need_fd=$((max_idle + LOGIN_CONC + 2 * MSG_PAIRS + 1024))
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt "$need_fd" ]; then
    # as root the hard limit can be raised too (up to fs.nr_open); both servers inherit it
    ulimit -n "$need_fd" 2>/dev/null || ulimit -Sn "$(ulimit -Hn)" 2>/dev/null || true
fi
fd_limit=$(ulimit -n)
mem_avail_kib=$(awk '/^MemAvailable:/ {print $2}' /proc/meminfo)
idle_list=""
[[ " $SCENARIOS " == *" idle"* ]] || IDLE_N=""     # no idle scenario: no accounts made for one
for n in $IDLE_N; do
    # one server runs at a time: an idle session costs ~600 KiB in xmppd today (~50 in Prosody),
    # plus ~40 KiB in the generator; keep that under half of what is available (shared machine)
    if [ "$fd_limit" != unlimited ] && [ $((n + 1024)) -gt "$fd_limit" ]; then
        say "idle N=$n skipped: descriptor limit $fd_limit (ulimit -n) is too low"
    elif [ $((n * 700)) -gt $((mem_avail_kib / 2)) ]; then
        say "idle N=$n skipped: about $((n * 700 / 1024)) MiB needed, $((mem_avail_kib / 1024)) MiB available"
    else
        idle_list="$idle_list $n"
    fi
done
accounts=$LOGIN_ACCOUNTS
[ $((2 * MSG_PAIRS)) -gt "$accounts" ] && accounts=$((2 * MSG_PAIRS))
for n in $idle_list; do [ "$n" -gt "$accounts" ] && accounts=$n; done
max_streams=$((accounts + LOGIN_CONC + 100))

# --- the run's directory, certificate, configurations ---------------------------------------------------
mkdir -p "$BENCH_DIR"
RUN=$(mktemp -d "$BENCH_DIR/c2s-$(date +%Y%m%d-%H%M%S)-XXXX")
chmod 755 "$RUN"
XD=$RUN/xmppd; PD=$RUN/prosody; RES=$RUN/results
mkdir -p "$XD" "$PD/data" "$PD/certs" "$RES"
say "run directory $RUN"

SERVER_PID=""
cleanup() {
    if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill -TERM "$SERVER_PID" 2>/dev/null || true
        sleep 1
        kill -KILL "$SERVER_PID" 2>/dev/null || true
    fi
    [ -n "${SHM:-}" ] && rm -rf "$SHM"
    system_prosody_stop
}
trap cleanup EXIT

free_port() { $PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
XPORT=$(free_port); PPORT=$(free_port)
[ "$XPORT" != "$PPORT" ] || PPORT=$(free_port)

"$XMPPCTL_BIN" gencert "$DOMAIN" -d "$XD" >/dev/null
CA=$XD/$DOMAIN.crt
install -m 0600 -o prosody -g prosody "$XD/$DOMAIN.key" "$PD/$DOMAIN.key"
install -m 0644 -o prosody -g prosody "$XD/$DOMAIN.crt" "$PD/$DOMAIN.crt"

cat >"$XD/xmppd.conf" <<EOF
# generated by bench/run_c2s.sh
listen = ( { address = "127.0.0.1"; port = $XPORT; } );
virtual_hosts = ( { domain = "$DOMAIN"; certificate = "$DOMAIN.crt"; key = "$DOMAIN.key"; } );
c2s_require_encryption = true;
mechanisms = [ "$MECH" ];
limits = { max_streams = $max_streams; streams_per_address = $max_streams; auth_failures_per_address = 1000000; };
data_dir = ".";
log_level = "warn";
EOF

# Prosody's config; admin_shell only for the instance that creates the accounts
prosody_conf() {
    cat <<EOF
-- generated by bench/run_c2s.sh
certificates = "$PD/certs"
data_path = "$PD/data"
log = { warn = "$PD/prosody.log" }
c2s_ports = { $PPORT }
c2s_interfaces = { "127.0.0.1" }
c2s_direct_tls_ports = { }
s2s_ports = { }
modules_enabled = { "tls", "saslauth"$1 }
modules_disabled = { "s2s", "offline" }
c2s_require_encryption = true
authentication = "internal_hashed"
password_hash = "$PROSODY_HASH"
default_iteration_count = $SCRAM_ITER
disable_sasl_mechanisms = { "DIGEST-MD5", $PROSODY_OFF }
network_settings = { nagle = false, tcp_backlog = 511 }
ssl = { certificate = "$PD/$DOMAIN.crt", key = "$PD/$DOMAIN.key", protocol = "tlsv1_3" }
VirtualHost "$DOMAIN"
EOF
}
prosody_conf ', "admin_shell"' >"$PD/setup.cfg.lua"
prosody_conf '' >"$PD/prosody.cfg.lua"
chown -R prosody:prosody "$PD"

# --- servers ---------------------------------------------------------------------------------------------
wait_listening() {   # port, pid: 0 once something listens on the port (no connection is made)
    local i
    for i in $(seq 1 100); do
        kill -0 "$2" 2>/dev/null || return 1
        [ -n "$(ss -Hltn "sport = :$1" 2>/dev/null)" ] && return 0
        sleep 0.1
    done
    return 1
}

start_server() {   # xmppd|prosody|prosody-setup: sets SERVER_PID
    case $1 in
    xmppd)
        (cd "$XD" && exec env $XMPPD_ENV taskset -c "$SERVER_CPU" "$XMPPD_BIN" -c xmppd.conf -f >>"$XD/xmppd.log" 2>&1) &
        SERVER_PID=$!
        wait_listening "$XPORT" "$SERVER_PID" || die "xmppd did not start: $(tail -5 "$XD/xmppd.log")" ;;
    prosody|prosody-setup)
        local conf=$PD/prosody.cfg.lua
        [ "$1" = prosody-setup ] && conf=$PD/setup.cfg.lua
        (cd "$PD" && exec taskset -c "$SERVER_CPU" setpriv --reuid=prosody --regid=prosody --init-groups \
            prosody -F --config "$conf" >>"$PD/prosody.out" 2>&1) &
        SERVER_PID=$!
        wait_listening "$PPORT" "$SERVER_PID" || die "Prosody did not start: $(tail -5 "$PD/prosody.out" "$PD/prosody.log")" ;;
    esac
}

STOP_STATUS=""
stop_server() {   # sets STOP_STATUS: the exit status, or "killed" when SIGTERM was not enough
    local i
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    for i in $(seq 1 100); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$SERVER_PID" 2>/dev/null; then
        kill -KILL "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
        STOP_STATUS=killed
    else
        STOP_STATUS=0; wait "$SERVER_PID" 2>/dev/null || STOP_STATUS=$?
    fi
    SERVER_PID=""
}

# --- accounts: user1..userN with one password, in both stores ---------------------------------------------
say "creating $accounts accounts in each server ($MECH, $SCRAM_ITER iterations)"
# xmppctl writes with synchronous=FULL; on tmpfs the fsyncs are free, so the store is built
# there (two writers) and moved into place
SHM=$(mktemp -d "${TMPDIR_SHM:-/dev/shm}/xmppd-bench.XXXXXX" 2>/dev/null || mktemp -d "$RUN/store.XXXXXX")
(
    seq 1 "$accounts" | xargs -P 2 -I{} sh -c \
        'printf "%s\n" "$1" | "$2" -c "$3/accounts.db" -i "$4" adduser "user$5@$6" >/dev/null 2>&1 || true' \
        _ "$PASSWORD" "$XMPPCTL_BIN" "$SHM" "$SCRAM_ITER" {} "$DOMAIN"
) &
adders=$!
start_server prosody-setup
prosodyctl --config "$PD/setup.cfg.lua" shell ">local um = require 'core.usermanager'; local n = 0; \
for i = 1, $accounts do if um.create_user('user' .. i, '$PASSWORD', '$DOMAIN') then n = n + 1 end end; \
return n .. ' accounts'" >"$PD/accounts.out" 2>&1 || die "prosodyctl shell failed: $(cat "$PD/accounts.out")"
stop_server
[ "$STOP_STATUS" = 0 ] || die "the Prosody set-up instance did not stop cleanly ($STOP_STATUS)"
wait "$adders"
have=$("$XMPPCTL_BIN" -c "$SHM/accounts.db" list "$DOMAIN" | wc -l)
for i in $(seq 1 "$accounts"); do   # writers that lost a lock race, one by one
    [ "$have" -ge "$accounts" ] && break
    printf '%s\n' "$PASSWORD" | "$XMPPCTL_BIN" -c "$SHM/accounts.db" -i "$SCRAM_ITER" adduser "user$i@$DOMAIN" \
        >/dev/null 2>&1 && have=$((have + 1))
done
mv "$SHM/accounts.db" "$XD/accounts.db"
rm -rf "$SHM"; SHM=""
p_have=$(find "$PD/data" -name 'user*.dat' | wc -l)
[ "$have" -eq "$accounts" ] && [ "$p_have" -eq "$accounts" ] ||
    die "accounts: xmppd has $have, Prosody $p_have of $accounts"

# --- configurations, for the table ----------------------------------------------------------------------------
xmppd_rev=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo "?")
xmppd_dirty=$(git -C "$ROOT" status --porcelain -- src 2>/dev/null | head -1)
{
    printf 'version\txmppd %s%s (%s)\tProsody %s (%s, %s)\n' "$xmppd_rev" "${xmppd_dirty:+ + local changes}" \
        "$(basename "$(dirname "$XMPPD_BIN")") build" "$PROSODY_VERSION" "$(readlink -f "$(command -v lua5.4 || echo lua)" | xargs basename)" \
        "epoll backend"
    printf 'certificate\tEC P-256 self-signed (xmppctl gencert)\tthe same files\n'
    printf 'TLS\t1.3 (client offers only 1.3)\tprotocol = "tlsv1_3"\n'
    printf 'SASL\t%s only, %s iterations\t%s (password_hash %s), %s iterations, PLAIN off\n' \
        "$MECH" "$SCRAM_ITER" "$MECH" "$PROSODY_HASH" "$SCRAM_ITER"
    printf 'TCP_NODELAY\tyes (always set)\tnetwork_settings.nagle = false\n'
    printf 'logging\twarn\twarn\n'
    printf 'modules\tc2s (no roster, no offline)\ttls, saslauth + core c2s/message/presence/iq; offline, s2s off\n'
    printf 'limits\tmax_streams %s, streams_per_address %s\tdefaults (tcp_backlog 511)\n' "$max_streams" "$max_streams"
    printf 'memory\tglibc malloc%s\tLua 5.4 GC defaults\n' "${XMPPD_ENV:+, $XMPPD_ENV}"
    printf 'pinning\tserver on CPU %s, xmpp-load on CPU %s\tthe same\n' "$SERVER_CPU" "$LOAD_CPU"
    printf 'descriptors\tulimit -n %s\tthe same\n' "$fd_limit"
} >"$RES/config.tsv"

# --- scenarios ----------------------------------------------------------------------------------------------------
# name|xmpp-load arguments
scenarios=(
    "login|-m login -n $LOGIN_ACCOUNTS -c $LOGIN_CONC -t $LOGIN_SECS"
    "msg|-m msg --pairs $MSG_PAIRS -t $MSG_SECS -w $MSG_WARMUP -W $MSG_WINDOW"
    "rate|-m msg --pairs $MSG_PAIRS -r $RATE -t $RATE_SECS -w 2"
)
for n in $idle_list; do scenarios+=("idle$n|--idle -n $n -c $IDLE_CONC -t $IDLE_SECS"); done
for r in $CURVE_RATES; do scenarios+=("curve$r|-m msg --pairs $MSG_PAIRS -r $r -t $CURVE_SECS -w 2"); done
chosen=()
for s in "${scenarios[@]}"; do
    for want in $SCENARIOS; do [[ ${s%%|*} == "$want"* ]] && { chosen+=("$s"); break; }; done
done
[ ${#chosen[@]} -gt 0 ] || die "SCENARIOS=\"$SCENARIOS\" names none of: login msg rate idle curve"
scenarios=("${chosen[@]}")
printf '%s\n' "${scenarios[@]}" >"$RES/scenarios.txt"

run_one() {   # server scenario rep args...
    local server=$1 scen=$2 rep=$3; shift 3
    local port=$XPORT log=$XD/xmppd.log out=$RES/$server-$scen-$rep
    [ "$server" = prosody ] && { port=$PPORT; log=$PD/prosody.log; }
    local lines_before load
    load=$(cut -d' ' -f1 /proc/loadavg)   # other work on this shared machine shows here
    lines_before=0
    [ -f "$log" ] && lines_before=$(wc -l <"$log")
    start_server "$server"
    local rc=0
    XMPP_LOAD_PASSWORD=$PASSWORD taskset -c "$LOAD_CPU" "$XLOAD_BIN" "$@" -p "$port" -d "$DOMAIN" -C "$CA" \
        --mech "$MECH" -S "$SERVER_PID" -l "$server" >"$out.txt" 2>"$out.progress" || rc=$?
    stop_server
    local status=$STOP_STATUS
    tail -n +"$((lines_before + 1))" "$log" >"$out.serverlog" 2>/dev/null || true
    printf 'SERVER label=%s exit=%s loadgen_exit=%s load_before=%s log_lines=%s\n' "$server" "$status" "$rc" "$load" \
        "$(grep -cvE 'running as root|Received SIGTERM' "$out.serverlog" || true)" >>"$out.txt"
    say "$(printf '%-8s %-9s run %s: %s' "$server" "$scen" "$rep" \
        "$(grep '^RESULT' "$out.txt" | tr ' ' '\n' | grep -E '^(errors|logins_per_s|msgs_per_s|lat_p99_ms|bytes_per_session)=' | tr '\n' ' ')server exit $status")"
}

t0=$(date +%s)
for rep in $(seq 1 "$REPS"); do
    for s in "${scenarios[@]}"; do
        scen=${s%%|*}; args=${s#*|}
        if [[ $scen == idle* ]] && [ "${scen#idle}" -gt 1000 ] && [ "$rep" -gt "$IDLE_LARGE_REPS" ]; then
            continue
        fi
        # shellcheck disable=SC2086
        run_one xmppd "$scen" "$rep" $args
        # shellcheck disable=SC2086
        run_one prosody "$scen" "$rep" $args
    done
done
say "scenarios took $(( $(date +%s) - t0 )) s"

$PY bench/c2s_table.py "$RES"
if grep -q '^curve' "$RES/scenarios.txt"; then
    $PY bench/c2s_plot.py "$RES"
    [ -z "$PLOT_OUT" ] || cp "$RES/latency.svg" "$PLOT_OUT"
fi
say "logs, configurations and every run's output are in $RUN"
