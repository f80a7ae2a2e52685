#!/usr/bin/env bash
# Installs the Debian packages xmppd needs, only those missing; safe to run again and again.
set -euo pipefail
PKGS=(
  build-essential pkg-config clang libclang-rt-14-dev afl++
  libcmocka-dev libidn-dev libexpat1-dev libssl-dev
  frama-c-base why3 z3 cvc4 cvc5
  python3 python3-pytest
  graphviz spin gnuplot-nox
  libuv1-dev libssl-dev libsasl2-dev libsasl2-modules libsqlite3-dev sqlite3 libconfig-dev openssl
  python3-slixmpp libstrophe-dev
  libc-ares-dev dnsmasq-base prosody lua-unbound
)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "deps: installing ${missing[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  # Prosody is a test peer (s2s interop) started from generated configs, never a system service:
  # policy-rc.d answering 101 keeps its service (and dnsmasq's) from starting during the install
  made_policy=0
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null && $SUDO chmod 755 /usr/sbin/policy-rc.d && made_policy=1
  fi
  rc=0
  $SUDO apt-get install -y --no-install-recommends "${missing[@]}" \
    || { $SUDO apt-get update && $SUDO apt-get install -y --no-install-recommends "${missing[@]}"; } || rc=$?
  [ $made_policy -eq 1 ] && $SUDO rm -f /usr/sbin/policy-rc.d
  [ $rc -eq 0 ] || exit $rc
  if command -v systemctl >/dev/null; then
    $SUDO systemctl disable prosody.service >/dev/null 2>&1 || true
  fi
fi
# why3 must know the provers once per user (Frama-C's WP reaches z3/cvc4 through it).
if [ ! -f "$HOME/.why3.conf" ]; then
  why3 config detect >/dev/null
fi
# why3's default 1000 MB per prover run makes z3 fail with "out of memory" on the larger WP goals
# (the s2s engines, the stanza replier); the machines have 24 GiB for two prover runs at a time.
sed -i 's/^memlimit = .*/memlimit = 4000/' "$HOME/.why3.conf"
echo "deps: all present"
