"""Requirements of the catalogue that no client-to-server dialogue can show, with the reason
each line of the runner's output gives. (s2s IDs are reported by the runner itself.)"""

UNIT = "a property of libxcore checked by its unit tests; not observable over the network"

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
}
