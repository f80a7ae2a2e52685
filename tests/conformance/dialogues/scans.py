"""Checks over everything the server sent during the whole run (they run last)."""
import re

import client
from client import NWF_ALL, Fail, expect_stream_error, login
from registry import dialogue
from wire import ALL_WIRES, short

PREDEFINED = {"lt", "gt", "amp", "quot", "apos"}


def all_docs(d):
    """Every document the server sent in this run (a login first, so there is one)."""
    login(d, label="scan")
    for w in list(ALL_WIRES):
        for doc in w.docs:
            yield w, bytes(doc)


@dialogue("XML-01", final=True)
def xml01(d):
    n = 0
    for w, doc in all_docs(d):
        n += len(doc)
        body = doc
        if body.startswith(b"<?xml"):
            body = body[body.find(b"?>") + 2:]
        for pat, what in ((rb"<!--", "a comment"), (rb"<\?", "a processing instruction"),
                          (rb"<!DOCTYPE", "a document type declaration"), (rb"<!ENTITY", "an entity declaration")):
            i = body.find(pat)
            if i >= 0:
                raise Fail("no comment, processing instruction, DTD or other entity in the server's output "
                           "(RFC 3920 §11.1)", f"{what}: …{short(body[max(0, i - 60):i + 60])}")
        for mo in re.finditer(rb"&([A-Za-z_][A-Za-z0-9._-]*);", body):
            if mo.group(1).decode() not in PREDEFINED:
                raise Fail("only the five predefined entities in the server's output (RFC 3920 §11.1)",
                           f"…{short(body[max(0, mo.start() - 60):mo.end() + 20])}")
    return f"{n} bytes scanned"


@dialogue("XML-13", final=True)
def xml13(d):
    n = 0
    for w, doc in all_docs(d):
        n += len(doc)
        mo = re.search(rb"<([A-Za-z_][\w.-]*):(message|presence|iq)[\s/>]", doc)
        if mo:
            raise Fail("no prefix on message, presence or iq written by the server (RFC 3920 §11.2.2)",
                       f"…{short(doc[max(0, mo.start() - 40):mo.end() + 60])}")
    return f"{n} bytes scanned"


@dialogue("STR-28", final=True)
def str28(d):
    k = 0
    for w, doc in all_docs(d):
        if doc.startswith(b"<?xml"):
            k += 1
            decl = doc[:doc.find(b"?>") + 2]
            if b"standalone" in decl:
                raise Fail("an XML declaration without standalone (RFC 6120 §11.5)", short(decl))
    return f"{k} XML declarations scanned"


@dialogue("ERR-01", final=True)
def err01(d):
    s = login(d)
    s.send("<message><body>x</message>")
    expect_stream_error(s.w, NWF_ALL)
    bad = [(el, p) for el, p in client.STREAM_ERRORS_SEEN if p]
    if bad:
        el, p = bad[0]
        raise Fail("every stream error: one defined condition, then </stream:stream> and the close "
                   "(RFC 3920 §4.7.1-§4.7.2)", f"{el}: {'; '.join(p)}")
    return f"{len(client.STREAM_ERRORS_SEEN)} stream errors in the run, all well-formed"
