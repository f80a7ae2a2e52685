"""A real client for the integration tests: slixmpp 1.8.3 (Debian's python3-slixmpp), run as
its own process by /usr/bin/python3 so that each test gets a fresh event loop.

  slixmpp_client.py PORT CAFILE login JID PASSWORD MECH
      logs in over STARTTLS with MECH ("" = slixmpp's choice), binds, prints a JSON result
  slixmpp_client.py PORT CAFILE chat JID1 PW1 JID2 PW2 MECH
      logs both in; JID1 sends a message to JID2's bare JID, JID2 answers to JID1's full JID

SLIXMPP_CERTFILE / SLIXMPP_KEYFILE in the environment: the client certificate to present (EXTERNAL).

Prints one JSON line: {"ok": bool, "events": [...], "bound": [...], "received": [...]}.
"""
import asyncio
import json
import logging
import os
import sys

import slixmpp

TIMEOUT = float(os.environ.get("SLIXMPP_TIMEOUT", "20"))   # seconds for each wait


class Client(slixmpp.ClientXMPP):
    def __init__(self, jid, password, mech, cafile, result):
        super().__init__(jid, password, sasl_mech=mech or None)
        self.ca_certs = cafile
        if os.environ.get("SLIXMPP_CERTFILE"):
            self.certfile = os.environ["SLIXMPP_CERTFILE"]
            self.keyfile = os.environ.get("SLIXMPP_KEYFILE")
        self.result = result
        self.ready = asyncio.Event()
        self.inbox = asyncio.Queue()
        self.add_event_handler("session_start", self.on_start)
        self.add_event_handler("failed_auth", lambda e: self.note("failed_auth"))
        self.add_event_handler("auth_success", lambda e: self.note("auth_success"))
        self.add_event_handler("message", self.on_message)
        self.add_event_handler("disconnected", lambda e: self.note("disconnected"))

    def note(self, what):
        self.result["events"].append(f"{self.boundjid.bare}: {what}")

    async def on_start(self, event):
        self.note("session_start")
        self.result["bound"].append(str(self.boundjid))
        self.send_presence()
        await asyncio.sleep(0.2)   # the presence reaches the server before anyone sends to us
        self.ready.set()

    def on_message(self, msg):
        self.result["received"].append({"to": str(self.boundjid), "from": str(msg["from"]), "body": msg["body"],
                                        "type": msg["type"]})
        self.inbox.put_nowait(msg)


async def run(argv, result):
    port, cafile, mode = int(argv[0]), argv[1], argv[2]
    if mode == "login":
        jid, pw, mech = argv[3:6]
        c = Client(jid, pw, mech, cafile, result)
        c.connect(("127.0.0.1", port))
        await asyncio.wait_for(c.ready.wait(), TIMEOUT)
        c.disconnect()
        await asyncio.sleep(0.3)
        result["ok"] = True
        return
    jid1, pw1, jid2, pw2, mech = argv[3:8]
    a = Client(jid1, pw1, mech, cafile, result)
    b = Client(jid2, pw2, mech, cafile, result)
    a.connect(("127.0.0.1", port))
    b.connect(("127.0.0.1", port))
    await asyncio.wait_for(asyncio.gather(a.ready.wait(), b.ready.wait()), TIMEOUT)
    a.send_message(mto=b.boundjid.bare, mbody="hello from " + a.boundjid.bare, mtype="chat")
    got = await asyncio.wait_for(b.inbox.get(), TIMEOUT)
    b.send_message(mto=got["from"], mbody="hello back", mtype="chat")
    await asyncio.wait_for(a.inbox.get(), TIMEOUT)
    a.disconnect()
    b.disconnect()
    await asyncio.sleep(0.3)
    result["ok"] = True


def main():
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    result = {"ok": False, "events": [], "bound": [], "received": []}
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    try:
        loop.run_until_complete(run(sys.argv[1:], result))
    except Exception as e:  # reported in the JSON line, the test shows it
        result["error"] = f"{type(e).__name__}: {e}"
    print(json.dumps(result))
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
