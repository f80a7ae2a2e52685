"""Requirements of the catalogue that no dialogue can show — neither a client nor the runner's
peer server (dialogues/s2s.py) sees them on the wire — with the reason each line of the runner's
output gives."""

UNIT = "a property of libxcore checked by its unit tests; not observable over the network"
FED = "a property of a pair of xmppd (tests/integration/test_s2s_federation.py); the runner's peer is not xmppd"
DNS = ("DNS resolution: needs a DNS server the runner controls as the target's dns_server "
       "(tests/integration/test_s2s_resolve.py)")
POLICY = "needs the target under s2s policy closed; the runner's xmppd runs an allow list (FED-06, FED-08)"
PROSODY = "the Prosody interop environment (tests/integration/test_s2s_prosody.py), not a dialogue"

NOT_ON_THE_WIRE = {
    "JID-04": "IP-literal domains are remote routes: what comes back depends on the server's s2s policy, "
              "not on the JID rule",
    "JID-06": "label rules (STD3) of a domain that is not served only change which remote-route error comes "
              "back; " + UNIT,
    "JID-12": "invalid UTF-8 or U+0000 in a 'to' is refused by the XML layer first (XML-09, XML-14); " + UNIT,
    "JID-13": "formatting into a caller's buffer: " + UNIT,
    "B64-07": "the codec's bounded output buffer: " + UNIT,
    "STORE-01": "the account store on disk: not observable over the network",
    "SRV-01": "configuration refused at start: not observable over the network",
    "SRV-02": "SIGHUP reload: needs a signal to the server process",
    "SRV-03": "limits.max_streams: would take every connection the server allows",
    "SRV-04": "output-queue cap: needs a client that stops reading while megabytes are routed to it",
    "SRV-05": "streams per address: would take every connection one address may open",
    "SRV-06": "the per-address failure budget: spending it blocks every later login from this address",
    "SRV-07": "privilege drop: a property of the server process",
    "SRV-08": "xmppctl gencert: a local tool",
    "SRV-09": "xmppctl checkconfig: a local tool",
    "TLS-14": "Python's ssl module has no way to start a TLS renegotiation (no standard-library API)",
    "ERR-09": "needs the server to shut down while streams are open; the runner does not control the server",
    "SASL-26": "needs the server's account store to fail while a client logs in",
    # s2s (dialogues/s2s.py covers what a peer server sees)
    "DB-01": "the key function: " + UNIT + " (its verdicts are S2S-06, S2S-08, DB-02)",
    "DB-03": "a comparison in time independent of the bytes: a timing property, not observable reliably "
             "over the network",
    "DB-04": "certificate name matching (DNS-ID, SRV-ID, wildcards): " + UNIT,
    "DB-05": "the secret's file in data_dir: a property of the server process "
             "(tests/integration/test_server_dialback_secret.py)",
    "DNS-01": DNS,
    "DNS-02": DNS,
    "DNS-03": DNS,
    "DNS-04": DNS,
    "DNS-05": DNS,
    "DNS-06": DNS,
    "DNS-07": DNS,
    "DNS-08": DNS,
    "DNS-09": DNS,
    "DNS-10": DNS,
    "S2SH-01": "configuration accepted at start: not observable over the network",
    "S2SH-02": "configuration refused at start: not observable over the network",
    "S2SH-05": "policy closed and a SIGHUP reload: " + POLICY + ", and the runner sends no signal",
    "S2SH-06": "needs the server to shut down (SIGTERM) while s2s streams are open; the runner does not control "
               "the server",
    "FED-01": FED,
    "FED-03": "the peer's own bounce: " + FED + " (the target's side is S2SH-03)",
    "FED-04": DNS,
    "FED-05": DNS,
    "FED-07": POLICY,
    "FED-09": "what each server logs about the peer certificate: " + FED + " (the runner's dialogues "
              "themselves run dialback over TLS with self-signed certificates)",
    "FED-16": "needs a second peer domain federating while one stalls (S2SH-07 checks the handshake timeout)",
    "FED-17": "the integration tests' raw peer's key function, not the server",
    "FED-20": PROSODY,
    "FED-21": PROSODY,
    "FED-22": PROSODY,
    "FED-23": PROSODY,
}
