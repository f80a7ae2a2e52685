"""Raw XMPP on the wire: one TCP (then TLS) connection, the bytes we send, and the server's bytes
cut into the stream header and complete first-level elements.

Nothing here knows an XMPP library: the server's output is fed to expat (pyexpat, the standard
library) only to find where each first-level element starts and ends and what it says; every
element keeps its raw bytes, and the bytes between two elements (`gap`), so that byte-level rules
(no whitespace during TLS and SASL negotiation, escaping, no prefixes) are checked on what was
really sent. A stream restart (after <proceed/> and TLS, after <success/>) begins a new document
and a new parser, as RFC 3920 §5.2 step 7 and §6.2 say.

Every byte received is kept per document (`docs`) for the checks that scan the whole run's
output (XML-01, XML-13, STR-01, STR-12, STR-28).
"""
import socket
import ssl
import threading
import time
from xml.parsers import expat

NS_STREAMS = "http://etherx.jabber.org/streams"
NS_CLIENT = "jabber:client"
NS_TLS = "urn:ietf:params:xml:ns:xmpp-tls"
NS_SASL = "urn:ietf:params:xml:ns:xmpp-sasl"
NS_BIND = "urn:ietf:params:xml:ns:xmpp-bind"
NS_SESSION = "urn:ietf:params:xml:ns:xmpp-session"
NS_SE = "urn:ietf:params:xml:ns:xmpp-streams"
NS_STANZAS = "urn:ietf:params:xml:ns:xmpp-stanzas"
NS_PING = "urn:xmpp:ping"
NS_XML = "http://www.w3.org/XML/1998/namespace"

# Every connection made during a run, for the scans over the whole output.
ALL_WIRES = []
_ALL_LOCK = threading.Lock()


class WireError(Exception):
    """The server's output is not what any XMPP server may send (not well-formed XML, bytes
    after the end of the stream): the dialogue fails with this text."""


def short(data, n=300):
    """A printable excerpt of bytes or text for a FAIL line."""
    if isinstance(data, (bytes, bytearray)):
        data = bytes(data).decode("utf-8", "backslashreplace")
    data = data.replace("\r", "\\r").replace("\n", "\\n").replace("\t", "\\t")
    return data if len(data) <= n else data[:n] + "…"


def tag_close(buf, i):
    """Index just after the '>' that ends the tag starting at buf[i] (quotes honoured), or -1
    when the tag is not complete yet."""
    q = None
    n = len(buf)
    while i < n:
        c = buf[i]
        if q is not None:
            if c == q:
                q = None
        elif c in (0x22, 0x27):
            q = c
        elif c == 0x3E:
            return i + 1
        i += 1
    return -1


def tag_end(doc, i):
    """Like tag_close, but the end of doc when the tag is not complete."""
    j = tag_close(doc, i)
    return len(doc) if j < 0 else j


class El:
    """A parsed element: namespace, local name, attributes ('name' or 'ns name' for qualified
    ones), children, its own character data, its raw bytes and the bytes before it."""
    __slots__ = ("ns", "name", "attrs", "children", "text", "raw", "gap")

    def __init__(self, ns, name, attrs):
        self.ns, self.name, self.attrs = ns, name, attrs
        self.children, self.text, self.raw, self.gap = [], "", b"", b""

    def get(self, name, default=None):
        return self.attrs.get(name, default)

    @property
    def lang(self):
        return self.attrs.get(NS_XML + " lang")

    def is_(self, ns, name):
        return self.ns == ns and self.name == name

    def child(self, ns, name):
        for c in self.children:
            if c.ns == ns and c.name == name:
                return c
        return None

    def all_text(self):
        return self.text + "".join(c.all_text() for c in self.children)

    def describe(self):
        return short(self.raw) if self.raw else f"<{self.name} xmlns='{self.ns}'>"

    def __repr__(self):
        return self.describe()


class Event:
    """What next() returns: kind is 'header' (el), 'el' (el), 'end' (</stream:stream>),
    'eof' (clean: True when a TLS close_notify or a plain TCP FIN ended it, None when the peer
    reset or cut TLS without close_notify), 'timeout'."""
    __slots__ = ("kind", "el", "clean")

    def __init__(self, kind, el=None, clean=None):
        self.kind, self.el, self.clean = kind, el, clean

    def describe(self):
        if self.kind in ("header", "el"):
            return self.el.describe()
        if self.kind == "end":
            return "</stream:stream>"
        if self.kind == "eof":
            return "the connection closed" + ("" if self.clean else " (without TLS close_notify or reset)")
        return "nothing (timeout)"

    def __repr__(self):
        return self.describe()


class Wire:
    def __init__(self, host, port, timeout, label="", log=None, sock=None):
        """Connects to host:port, or reads an accepted connection `sock` (the runner as a
        server: the s2s peer's listener)."""
        self.label = label
        self.timeout = timeout
        self.log = log
        self.sock = sock or socket.create_connection((host, port), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.raw_sock = self.sock
        self.tls = False
        self.eof = False
        self.eof_clean = None
        self.docs = []          # bytes of every document the server sent, in order
        self.sent = bytearray()
        self.auto_pong = True   # answer the server's XEP-0199 pings like any client
        self.pings_seen = []
        with _ALL_LOCK:
            ALL_WIRES.append(self)
        self._new_doc()

    # --- the document being read -----------------------------------------------------------
    def _new_doc(self):
        self.doc = bytearray()
        self.docs.append(self.doc)
        self.decl = None        # (version, encoding, standalone) of the server's XML declaration
        self.header = None
        self.header_seen = False
        self.ended = False
        self.events = []
        self.stack = []
        self.prev_end = 0
        self.misc = []          # comments, processing instructions, doctype seen in our input
        self.pending = bytearray()   # received, not yet a whole markup unit (or held)
        self.hold = False       # set once <proceed/> arrived: what follows is not parsed
        p = expat.ParserCreate(namespace_separator=" ")
        p.buffer_text = True
        p.StartElementHandler = self._start
        p.EndElementHandler = self._end
        p.CharacterDataHandler = self._chars
        p.XmlDeclHandler = self._decl
        p.CommentHandler = lambda d: self.misc.append(("comment", d))
        p.ProcessingInstructionHandler = lambda t, d: self.misc.append(("pi", t))
        p.StartDoctypeDeclHandler = lambda *a: self.misc.append(("doctype", a[0]))
        self.parser = p

    def restart(self):
        """A new document begins (we are about to send a new header after TLS or SASL)."""
        self._new_doc()

    @staticmethod
    def _split(name):
        if " " in name:
            ns, local = name.split(" ", 1)
            return ns, local
        return "", name

    def _decl(self, version, encoding, standalone):
        self.decl = (version, encoding, standalone)

    def _start(self, name, attrs):
        ns, local = self._split(name)
        el = El(ns, local, dict(attrs))
        idx = self.parser.CurrentByteIndex
        if not self.stack:
            if self.header is None:
                el.raw = bytes(self.doc[:tag_end(self.doc, idx)])
                self.header = el
                self.prev_end = tag_end(self.doc, idx)
                self.events.append(Event("header", el))
            self.stack.append(el)
            return
        if len(self.stack) == 1:
            el.gap = bytes(self.doc[self.prev_end:idx])
            self._el_start = idx
        else:
            self.stack[-1].children.append(el)
        self.stack.append(el)

    def _end(self, name):
        el = self.stack.pop()
        idx = self.parser.CurrentByteIndex
        if not self.stack:
            self.ended = True
            self.events.append(Event("end"))
            return
        if len(self.stack) == 1:
            end = tag_end(self.doc, idx)
            el.raw = bytes(self.doc[self._el_start:end])
            self.prev_end = end
            self.events.append(Event("el", el))
            if el.ns == NS_TLS and el.name == "proceed":
                self.hold = True

    def _chars(self, data):
        if len(self.stack) >= 2:
            self.stack[-1].text += data

    def _feed(self, chunk):
        """Feeds expat whole markup units only. libexpat with reparse deferral (2.6, and
        Debian's 2.5.0-1+deb12u2 backport of CVE-2023-52425) does not re-parse a partial token
        until twice as many bytes are buffered, so a complete element that arrived in small
        pieces could wait forever; a unit that ends where a tag, comment, CDATA section or PI
        ends is never partial. After <proceed/> nothing more is parsed: the bytes that follow
        belong to TLS (or are a fault the dialogue reports: `cleartext`)."""
        if self.ended:
            raise WireError(f"bytes after the server's </stream:stream>: {short(chunk)}")
        self.pending += chunk
        while not self.hold:
            end = unit_end(self.pending)
            if end == 0:
                return
            unit = bytes(self.pending[:end])
            del self.pending[:end]
            if self.ended:
                raise WireError(f"bytes after the server's </stream:stream>: {short(unit)}")
            self.doc += unit
            try:
                self.parser.Parse(unit, False)
            except expat.ExpatError as e:
                raise WireError(f"the server's output is not well-formed XML ({e}): …{short(self.doc[-200:])}")

    # --- I/O ------------------------------------------------------------------------------
    def send(self, data):
        if isinstance(data, str):
            data = data.encode("utf-8")
        self.sent += data
        if self.log is not None:
            self.log.append(("C", self.label, bytes(data)))
        self.sock.sendall(data)

    def send_slowly(self, data, pause=0.002):
        """One byte per write (TCP_NODELAY): the server sees the stream cut everywhere."""
        if isinstance(data, str):
            data = data.encode("utf-8")
        for i in range(len(data)):
            self.send(data[i:i + 1])
            time.sleep(pause)

    def _recv(self, deadline):
        left = deadline - time.monotonic()
        if left <= 0:
            return False
        self.sock.settimeout(left)
        try:
            chunk = self.sock.recv(65536)
        except (socket.timeout, TimeoutError):
            return False
        except ssl.SSLZeroReturnError:
            chunk = b""
        except (ssl.SSLEOFError, ConnectionResetError, BrokenPipeError):
            self.eof, self.eof_clean = True, None
            return True
        except ssl.SSLError as e:
            self.eof, self.eof_clean = True, None
            self.tls_error = str(e)
            return True
        if not chunk:
            self.eof, self.eof_clean = True, True
            return True
        if self.log is not None:
            self.log.append(("S", self.label, chunk))
        self._feed(chunk)
        return True

    def next(self, timeout=None):
        """The next header, element, stream end or EOF; a server XEP-0199 ping is answered and
        skipped while auto_pong is on."""
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        while True:
            while self.events:
                ev = self.events.pop(0)
                if (ev.kind == "el" and self.auto_pong and ev.el.is_(NS_CLIENT, "iq") and
                        ev.el.get("type") == "get" and ev.el.child(NS_PING, "ping") is not None):
                    self.pings_seen.append(ev.el)
                    to = f" to='{xml_attr(ev.el.get('from'))}'" if ev.el.get("from") else ""
                    self.send(f"<iq type='result' id='{xml_attr(ev.el.get('id', ''))}'{to}/>")
                    continue
                if ev.kind == "header":
                    self.header_seen = True
                return ev
            if self.eof:
                return Event("eof", clean=self.eof_clean)
            if not self._recv(deadline):
                return Event("timeout")

    def read_until_eof(self, timeout=None):
        """Every event up to and including EOF (or a timeout). When the server ends its stream
        and does not close the connection within half a second, the runner answers with its own
        </stream:stream>, as RFC 6120 §4.4 has a client do (a server may wait for it)."""
        out = []
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        answered = False
        while True:
            left = max(0.0, deadline - time.monotonic())
            if out and out[-1].kind == "end" and not answered:
                ev = self.next(min(0.5, left))
                if ev.kind == "timeout":
                    answered = True
                    try:
                        self.send("</stream:stream>")
                    except OSError:
                        pass
                    continue
            else:
                ev = self.next(left)
            out.append(ev)
            if ev.kind in ("eof", "timeout"):
                return out

    def quiet(self, seconds):
        """What arrives within `seconds` (a list of events; empty when nothing came)."""
        out = []
        deadline = time.monotonic() + seconds
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return out
            ev = self.next(left)
            if ev.kind == "timeout":
                return out
            out.append(ev)
            if ev.kind == "eof":
                return out

    def pending_bytes(self, seconds):
        """Raw bytes that arrive within `seconds` without parsing them (after <proceed/> the
        next bytes belong to TLS, not to XML)."""
        data = bytes(self.pending)
        self.pending = bytearray()
        deadline = time.monotonic() + seconds
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return data, False
            self.sock.settimeout(left)
            try:
                chunk = self.sock.recv(65536)
            except (socket.timeout, TimeoutError):
                return data, False
            except (ConnectionResetError, BrokenPipeError):
                return data, True
            if not chunk:
                return data, True
            data += chunk

    def start_tls(self, ctx, server_hostname=None, server_side=False):
        """Wraps the socket in TLS (handshake now) and begins a new document."""
        self.cleartext = bytes(self.pending)   # sent in the clear after <proceed/>: a fault
        self.sock.settimeout(self.timeout)
        if server_side:
            self.sock = ctx.wrap_socket(self.raw_sock, server_side=True, suppress_ragged_eofs=False)
        else:
            self.sock = ctx.wrap_socket(self.raw_sock, server_hostname=server_hostname,
                                        suppress_ragged_eofs=False)
        self.tls = True
        self._new_doc()

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


def unit_end(buf):
    """Length of the shortest prefix of `buf` that ends where a markup construct (tag, comment,
    CDATA section, PI) ends, text before it included; 0 when none is complete yet."""
    lt = buf.find(b"<")
    if lt < 0:
        return 0
    if buf.startswith(b"<!--", lt):
        e = buf.find(b"-->", lt + 4)
        e = e + 3 if e >= 0 else -1
    elif buf.startswith(b"<![CDATA[", lt):
        e = buf.find(b"]]>", lt + 9)
        e = e + 3 if e >= 0 else -1
    elif buf.startswith(b"<?", lt):
        e = buf.find(b"?>", lt + 2)
        e = e + 2 if e >= 0 else -1
    else:
        e = tag_close(buf, lt + 1)
    return max(e, 0)


def xml_attr(v):
    """Escapes text for an attribute value in single quotes."""
    return (str(v).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace("'", "&apos;").replace('"', "&quot;"))


def xml_text(v):
    return str(v).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
