"""Loopback ports for the servers a test starts (integration tests, the conformance runner).

A port is chosen below the kernel's ephemeral range and checked free by binding it. Not from
bind(host, 0): that is an ephemeral port, and before the server binds it the kernel may give it
to any outgoing connection (another server's s2s link, a client), which made a server's listen
fail with "address already in use". Ports below the ephemeral range are taken only by an explicit
bind; the ones handed out are remembered so that two servers of one process never get the same.
"""
import random
import socket

_handed_out = set()


def _ephemeral_range_start():
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
            return int(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768


def free_port(family=socket.AF_INET, host="127.0.0.1", kind=socket.SOCK_STREAM):
    """A port free now on host for the given socket kind, never handed out before."""
    first, end = 10000, _ephemeral_range_start()
    if end - first < 1000:
        first, end = end, 65536
    for _ in range(500):
        port = random.randrange(first, end)
        if port in _handed_out:
            continue
        with socket.socket(family, kind) as s:
            try:
                s.bind((host, port))
            except OSError:
                continue
        _handed_out.add(port)
        return port
    raise RuntimeError(f"no free loopback port in {first}..{end - 1}")


def free_udp_port():
    return free_port(kind=socket.SOCK_DGRAM)


def free_udp_tcp_port():
    """A loopback port free for both UDP and TCP (dnsmasq listens on both): UDP and TCP ports
    are separate name spaces, so a free UDP port may be some listener's TCP port."""
    for _ in range(50):
        port = free_udp_port()
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as t:
            try:
                t.bind(("127.0.0.1", port))
            except OSError:
                continue
        return port
    raise RuntimeError("no loopback port free for both UDP and TCP")
