"""Real clients for the federation tests: slixmpp 1.8.3 users on different servers, run as one
process by /usr/bin/python3 (a fresh event loop per test), driven by a JSON script.

  s2s_fed_client.py SPEC_JSON

SPEC_JSON = {"clients": [{"name", "jid", "password", "port", "ca", "mech"}, ...],
             "steps": [step, ...]}
Every client logs in over STARTTLS to 127.0.0.1:port (certificate checked against "ca"), binds,
and sends initial presence; then the steps run in order. In "to", "{name}" is that client's bound
full JID and "{name.bare}" its bare JID.

  {"op": "send", "who", "to", "id", "body"}           a chat message
  {"op": "expect_message", "who", "id", "from_bare", "body", "timeout"}
                                                        a (non-error) message with that id arrives
  {"op": "expect_error", "who", "id", "timeout"}       a message of type error with that id arrives
  {"op": "iq", "who", "to", "timeout"}                 a XEP-0199 ping; records the answer (result
                                                        or error condition), or "timeout"
  {"op": "quiet", "who", "seconds"}                    records every message arriving meanwhile

Prints {"ready": {name: jid}} once every client is logged in, and at the end one JSON line:
{"ok": bool, "bound": {name: jid}, "done": [{"step", "got"}], "error": str}.
The error names the step that did not complete and what did not arrive within its timeout.
"""
import asyncio
import json
import logging
import sys

import slixmpp
from slixmpp.exceptions import IqError, IqTimeout

LOGIN_TIMEOUT = 10.0


class Client(slixmpp.ClientXMPP):
    def __init__(self, spec):
        super().__init__(spec["jid"], spec["password"], sasl_mech=spec.get("mech") or None)
        self.name = spec["name"]
        self.ca_certs = spec["ca"]
        self.port = spec["port"]
        self.ready = asyncio.Event()
        self.changed = asyncio.Event()
        self.messages = []        # every message received, error ones included, as dicts
        self.register_plugin("xep_0199")   # answers pings: an iq to an online user gets a result
        self.add_event_handler("session_start", self.on_start)
        self.add_event_handler("message", self.on_message)
        self.add_event_handler("message_error", self.on_message)

    async def on_start(self, event):
        self.send_presence()
        await asyncio.sleep(0.2)   # the presence reaches the server before anyone sends to us
        self.ready.set()

    def on_message(self, msg):
        entry = {"id": msg["id"], "type": msg["type"], "from": str(msg["from"]), "to": str(msg["to"]),
                 "body": msg["body"]}
        if msg["type"] == "error":
            entry["error_type"] = msg["error"]["type"]
            entry["condition"] = msg["error"]["condition"]
            entry["text"] = msg["error"]["text"]
        self.messages.append(entry)
        self.changed.set()

    async def wait_for(self, match, timeout):
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            for m in self.messages:
                if match(m):
                    return m
            left = deadline - loop.time()
            if left <= 0:
                return None
            self.changed.clear()
            try:
                await asyncio.wait_for(self.changed.wait(), left)
            except asyncio.TimeoutError:
                pass


def resolve(to, clients):
    for name, c in clients.items():
        to = to.replace("{" + name + ".bare}", c.boundjid.bare).replace("{" + name + "}", str(c.boundjid))
    return to


async def run_step(step, clients):
    c = clients[step["who"]]
    op = step["op"]
    timeout = float(step.get("timeout", 10))
    if op == "send":
        msg = c.make_message(mto=resolve(step["to"], clients), mbody=step.get("body", ""), mtype="chat")
        msg["id"] = step["id"]   # the script's id, so the answer or the bounce can be matched
        msg.send()
        return {"to": str(msg["to"])}
    if op == "expect_message":
        m = await c.wait_for(lambda m: m["type"] != "error" and m["id"] == step["id"], timeout)
        if m is None:
            raise StepFailed(f"{c.boundjid.bare} did not receive message {step['id']!r} within {timeout:.0f} s "
                             f"(received: {c.messages})")
        if step.get("from_bare") and m["from"].split("/")[0] != step["from_bare"]:
            raise StepFailed(f"message {step['id']!r} came from {m['from']}, not {step['from_bare']}")
        if "body" in step and m["body"] != step["body"]:
            raise StepFailed(f"message {step['id']!r} has body {m['body']!r}, not {step['body']!r}")
        return m
    if op == "expect_error":
        m = await c.wait_for(lambda m: m["type"] == "error" and m["id"] == step["id"], timeout)
        if m is None:
            raise StepFailed(f"{c.boundjid.bare} got no error for message {step['id']!r} within {timeout:.0f} s "
                             f"(received: {c.messages})")
        return m
    if op == "iq":
        iq = c.Iq()
        iq["type"] = "get"
        iq["to"] = resolve(step["to"], clients)
        iq.enable("ping")
        try:
            answer = await iq.send(timeout=timeout)
            return {"type": answer["type"], "from": str(answer["from"])}
        except IqError as e:
            return {"type": "error", "from": str(e.iq["from"]), "error_type": e.iq["error"]["type"],
                    "condition": e.iq["error"]["condition"]}
        except IqTimeout:
            return {"type": "timeout"}
    if op == "quiet":
        before = len(c.messages)
        await asyncio.sleep(float(step["seconds"]))
        return {"received": c.messages[before:]}
    raise StepFailed(f"unknown op {op!r}")


class StepFailed(Exception):
    pass


async def run(spec, result):
    clients = {}
    for cs in spec["clients"]:
        c = Client(cs)
        clients[c.name] = c
        c.connect(("127.0.0.1", c.port))
    for c in clients.values():
        try:
            await asyncio.wait_for(c.ready.wait(), LOGIN_TIMEOUT)
        except asyncio.TimeoutError:
            raise StepFailed(f"{c.boundjid.bare} could not log in to 127.0.0.1:{c.port} within {LOGIN_TIMEOUT:.0f} s")
        result["bound"][c.name] = str(c.boundjid)
    print(json.dumps({"ready": result["bound"]}), flush=True)   # a test running us in the background waits for it
    for step in spec["steps"]:
        result["done"].append({"step": step, "got": await run_step(step, clients)})
    for c in clients.values():
        c.disconnect()
    await asyncio.sleep(0.3)
    result["ok"] = True


def main():
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    result = {"ok": False, "bound": {}, "done": []}
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    try:
        loop.run_until_complete(run(json.loads(sys.argv[1]), result))
    except StepFailed as e:
        result["error"] = str(e)
    except Exception as e:  # reported in the JSON line, the test shows it
        result["error"] = f"{type(e).__name__}: {e}"
    print(json.dumps(result))
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
