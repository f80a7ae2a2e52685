#!/usr/bin/env python3
"""The DNS of bench/conformance_prosody.sh's Prosody: a dnsmasq on a loopback port answering
`_xmpp-server._tcp.<domain>` SRV records (RFC 6120 §3.2.1), so that Prosody — which resolves s2s
peers by DNS only, through libunbound — reaches the conformance runner's PEER_DOMAIN at its
PEER_LISTEN port. It is tests/integration/prosody_env.py's Dnsmasq (the federation tests' set-up,
DESIGN.md "Test environment notes"), run until SIGTERM.

    conformance_dns.py DIR PORTFILE DOMAIN=PORT [DOMAIN=PORT …]

DIR holds dnsmasq's pid file and query log; the port dnsmasq answers on (UDP and TCP, 127.0.0.1)
is written to PORTFILE once it answers.
"""
import os
import signal
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tests", "integration"))
from prosody_env import Dnsmasq  # noqa: E402  (needs the path above)


def main():
    if len(sys.argv) < 4:
        raise SystemExit(__doc__)
    directory, portfile = sys.argv[1], sys.argv[2]
    srv = {}
    for arg in sys.argv[3:]:
        domain, _, port = arg.partition("=")
        srv[domain] = int(port)
    dns = Dnsmasq(directory, srv).start()
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    signal.signal(signal.SIGINT, lambda *_: stop.append(1))
    with open(portfile + ".tmp", "w") as f:
        f.write(f"{dns.port}\n")
    os.rename(portfile + ".tmp", portfile)
    while not stop and dns.proc.poll() is None:
        time.sleep(0.2)
    dns.stop()
    return 0 if stop else 1


if __name__ == "__main__":
    sys.exit(main())
