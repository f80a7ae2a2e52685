#!/usr/bin/env python3
"""fuzz/make_seeds_c2s.py — writes corpus/c2s/: whole client logins in fuzz_c2s's record format.

Each seed is a real client dialogue (what slixmpp, Gajim and Conversations send, with the
RFC 3920/6120 example payloads) cut into records: client bytes, and the shell results a real
server would report between them (TLS done, SASL challenge/success/failure). See
fuzz/fuzz_c2s.c for the format. Run from the repository root.
"""
import os

OPEN = ("<?xml version='1.0'?><stream:stream xmlns='jabber:client' "
        "xmlns:stream='http://etherx.jabber.org/streams' to='example.com' version='1.0'>")
STARTTLS = "<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>"
PLAIN = "<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>AGp1bGlldAByMG0zMA==</auth>"
SCRAM = ("<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='SCRAM-SHA-1'>"
         "biwsbj1qdWxpZXQscj1vTXNUQUF3QUFBQU1BQUFBTlAwVEFBQUFBQUJQVTBBQQ==</auth>")
RESPONSE = ("<response xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>"
            "Yz1iaXdzLHI9b01zVEFBd0FBQUFNQUFBQU5QMFRBQUFBQUFCUFUwQUE=</response>")
EXTERNAL = "<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='EXTERNAL'>=</auth>"
BIND = ("<iq id='yhc13a95' type='set'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'>"
        "<resource>balcony</resource></bind></iq>")
BIND_GEN = "<iq id='b2' type='set'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/></iq>"
SESSION = "<iq to='example.com' type='set' id='sess_1'><session xmlns='urn:ietf:params:xml:ns:xmpp-session'/></iq>"
PRESENCE = ("<presence xml:lang='en'><priority>1</priority><c xmlns='http://jabber.org/protocol/caps' "
            "hash='sha-1' node='https://gajim.org' ver='QgayPKawpkPSDYmwT/WM94uAlu0='/></presence>")
MSG = ("<message to='romeo@example.com/orchard' from='nurse@example.com' id='m1' type='chat' xml:lang='en'>"
       "<body>Wherefore art thou, Romeo? \u00e9\u6f22</body><active xmlns='http://jabber.org/protocol/chatstates'/></message>")
MSG_BARE = "<message to='romeo@example.com' type='chat'><body>hi</body></message>"
MSG_REMOTE = "<message to='mercutio@verona.test' id='r1'><body>x</body></message>"
PING = "<iq to='example.com' type='get' id='p1'><ping xmlns='urn:xmpp:ping'/></iq>"
ROSTER = "<iq type='get' id='r2'><query xmlns='jabber:iq:roster'/></iq>"
CLOSE = "</stream:stream>"


def rec(ctl, body=b""):
    out = b""
    while True:  # bodies over 255 bytes become several client records
        chunk, body = body[:255], body[255:]
        out += bytes([ctl, len(chunk)]) + chunk
        if not body:
            return out


def client(text):
    return rec(0, text.encode())


TLS_DONE = rec(1)
TLS_DONE_CERT = rec(1 | 8 | 16)
SUCCESS = rec(3 | (1 << 3))
SCRAM_SUCCESS = rec(3 | (1 << 3), b"v=rmF9pqV8S7suAoZWja4dJRkFsKQ=")
CHALLENGE = rec(3, b"r=oMsTAAwAAAAMAAAANP0TAAAAAABPU0AAe124695b-69a9-4de6-9c30-b51b3808c59e,s=NjhkYTM0MDgtNGY0Zi00NjdmLTkxMmUtNDlmNTNmN2VkOTJm,i=4096")
FAILURE = rec(3 | (2 << 3) | (7 << 5))

after_auth = client(OPEN) + client(BIND) + client(SESSION) + client(PRESENCE) + client(MSG) + client(MSG_BARE) + \
    client(PING) + client(ROSTER) + client(MSG_REMOTE) + rec(7, b"") + client(CLOSE)

seeds = {
    "plain_login": bytes([1, 0]) + client(OPEN) + client(STARTTLS) + TLS_DONE + client(OPEN) + client(PLAIN) + SUCCESS + after_auth,
    "scram_login": bytes([1, 0]) + client(OPEN) + client(STARTTLS) + TLS_DONE + client(OPEN) + client(SCRAM) + CHALLENGE +
    client(RESPONSE) + SCRAM_SUCCESS + after_auth,
    "external_login": bytes([1 | (3 << 6), 0]) + client(OPEN) + client(STARTTLS) + TLS_DONE_CERT + client(OPEN) +
    client(EXTERNAL) + SUCCESS + client(OPEN) + client(BIND_GEN) + client(MSG) + client(CLOSE),
    "direct_tls": bytes([1 | 2, 0]) + client(OPEN) + client(PLAIN) + SUCCESS + after_auth,
    "tls_optional_scram": bytes([0, 0]) + client(OPEN) + client(SCRAM) + CHALLENGE + client(RESPONSE) + SCRAM_SUCCESS + after_auth,
    "three_failures": bytes([1, 0]) + client(OPEN) + client(STARTTLS) + TLS_DONE + client(OPEN) + client(PLAIN) + FAILURE +
    client(PLAIN) + FAILURE + client(PLAIN) + FAILURE,
    "starttls_injection": bytes([1, 0]) + client(OPEN) + client(STARTTLS + MSG) + TLS_DONE + client(OPEN),
    "pipelined_reads": bytes([1, 0]) + client(OPEN + STARTTLS) + TLS_DONE + client(OPEN + PLAIN) + SUCCESS +
    client(OPEN + BIND + SESSION + MSG),
    "squeezed_nodes": bytes([1 | (1 << 4), 5]) + client(OPEN) + client(STARTTLS) + TLS_DONE + client(OPEN) + client(PLAIN) +
    SUCCESS + after_auth,
    "timeout_in_tls": bytes([1, 0]) + client(OPEN) + client(STARTTLS) + rec(4),
}

os.makedirs("corpus/c2s", exist_ok=True)
for name, data in seeds.items():
    with open(os.path.join("corpus/c2s", name), "wb") as f:
        f.write(data)
print(f"corpus/c2s: {len(seeds)} seeds")
