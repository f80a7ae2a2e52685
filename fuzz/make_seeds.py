#!/usr/bin/env python3
"""fuzz/make_seeds.py — writes the seed corpora corpus/xml/ and corpus/xml_diff/.

Streams are what real peers send: RFC 3920/6120 example exchanges (stream headers, features,
STARTTLS, SASL, binding, dialback), what slixmpp / Gajim / Conversations send after login
(presence with XEP-0115 caps, disco#info, MUC join, roster get, chat messages with XEP-0085
chat states, xml:lang, non-ASCII text), and one malformed stream per refusal class.

corpus/xml seeds start with the fuzz_xml mode byte (see fuzz/fuzz_xml.c); corpus/xml_diff
seeds are bare c2s streams. Run from the repository root: python3 fuzz/make_seeds.py
"""
import os

C2S_HDR = ("<?xml version='1.0'?><stream:stream from='juliet@im.example.com' to='im.example.com' "
           "version='1.0' xml:lang='en' xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>")
C2S_HDR_BARE = "<stream:stream to='example.com' xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' version='1.0'>"
S2S_HDR = ("<?xml version='1.0'?><stream:stream from='im.example.com' to='example.net' version='1.0' "
           "xmlns='jabber:server' xmlns:db='jabber:server:dialback' xmlns:stream='http://etherx.jabber.org/streams'>")
END = "</stream:stream>"

CAPS = ("<c xmlns='http://jabber.org/protocol/caps' hash='sha-1' node='https://gajim.org' "
        "ver='QgayPKawpkPSDYmwT/WM94uAlu0='/>")

stanzas = {
    # RFC 6120 §5 / §6 / §7 negotiation (client side)
    "starttls": "<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>",
    "auth_plain": "<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>AGp1bGlldAByMG0zMG0wcjBtMzA=</auth>",
    "auth_scram": ("<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='SCRAM-SHA-1'>"
                   "biwsbj1qdWxpZXQscj1vTXNUQUF3QUFBQU1BQUFBTlAwVEFBQUFBQUJQVTBBQQ==</auth>"),
    "sasl_response": ("<response xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>"
                      "Yz1iaXdzLHI9b01zVEFBd0FBQUFNQUFBQU5QMFRBQUFBQUFCUFUwQUE=</response>"),
    "bind": ("<iq id='yhc13a95' type='set'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'>"
             "<resource>balcony</resource></bind></iq>"),
    "session": "<iq type='set' id='sess_1'><session xmlns='urn:ietf:params:xml:ns:xmpp-session'/></iq>",
    # RFC 6121 / clients
    "roster_get": "<iq from='juliet@example.com/balcony' id='bv1bs71f' type='get'><query xmlns='jabber:iq:roster'/></iq>",
    "roster_set": ("<iq id='a78b4q6ha463' type='set'><query xmlns='jabber:iq:roster'>"
                   "<item jid='nurse@example.com' name='Nurse'><group>Servants</group></item></query></iq>"),
    "presence_caps": ("<presence xml:lang='en'><priority>1</priority>" + CAPS +
                      "<x xmlns='vcard-temp:x:update'><photo/></x></presence>"),
    "presence_avail": "<presence/>",
    "presence_show": "<presence><show>away</show><status>Be right back &amp; more</status></presence>",
    "disco_info": ("<iq type='get' to='example.com' id='info1'>"
                   "<query xmlns='http://jabber.org/protocol/disco#info'/></iq>"),
    "disco_result": ("<iq type='result' to='romeo@example.net/orchard' id='info2'>"
                     "<query xmlns='http://jabber.org/protocol/disco#info' node='http://code.google.com/p/exodus#QgayPKawpkPSDYmwT/WM94uAlu0='>"
                     "<identity category='client' name='Exodus 0.9.1' type='pc'/>"
                     "<feature var='http://jabber.org/protocol/caps'/><feature var='http://jabber.org/protocol/disco#info'/>"
                     "<feature var='http://jabber.org/protocol/muc'/></query></iq>"),
    "muc_join": ("<presence id='n13mt3l' to='coven@chat.shakespeare.lit/thirdwitch'>"
                 "<x xmlns='http://jabber.org/protocol/muc'><history maxstanzas='20'/></x>" + CAPS + "</presence>"),
    "message_chat": ("<message type='chat' id='purple5f3a' to='romeo@example.net' xml:lang='en'>"
                     "<body>Art thou not Romeo, and a Montague?</body>"
                     "<active xmlns='http://jabber.org/protocol/chatstates'/>"
                     "<request xmlns='urn:xmpp:receipts'/><origin-id xmlns='urn:xmpp:sid:0' id='7a2c'/></message>"),
    "message_composing": ("<message type='chat' to='romeo@example.net' id='c1'>"
                          "<composing xmlns='http://jabber.org/protocol/chatstates'/></message>"),
    "message_nonascii": ("<message type='chat' to='\u043f\u0451\u0442\u0440@example.ru' xml:lang='ru'>"
                         "<body>\u041f\u0440\u0438\u0432\u0435\u0442, \u043c\u0438\u0440! \u4f60\u597d\u4e16\u754c \U0001F600 caf\u00e9</body>"
                         "<body xml:lang='ja'>\u3053\u3093\u306b\u3061\u306f</body></message>"),
    "message_entities": ("<message to='a@b' id='e&amp;1'><body>&lt;b&gt; &quot;x&quot; &apos;y&apos; "
                         "&#65;&#x42;&#x1F600; 1\r\n2\r3</body><subject><![CDATA[<raw> & ]]]></subject></message>"),
    "message_prefixed_ext": ("<message to='a@b'><body>x</body><h:html xmlns:h='http://jabber.org/protocol/xhtml-im'>"
                             "<b:body xmlns:b='http://www.w3.org/1999/xhtml'><b:p style='font-weight:bold'>hi</b:p></b:body></h:html></message>"),
    "iq_ping": "<iq from='capulet.lit' to='juliet@capulet.lit/balcony' id='s2c1' type='get'><ping xmlns='urn:xmpp:ping'/></iq>",
    "iq_error": ("<iq type='error' id='x1'><error type='cancel'><feature-not-implemented "
                 "xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/><text xmlns='urn:ietf:params:xml:ns:xmpp-stanzas' "
                 "xml:lang='en'>nope</text></error></iq>"),
    "carbons": "<iq type='set' id='enable1'><enable xmlns='urn:xmpp:carbons:2'/></iq>",
    "mam_query": ("<iq type='set' id='juliet1'><query xmlns='urn:xmpp:mam:2' queryid='f27'>"
                  "<x xmlns='jabber:x:data' type='submit'><field var='FORM_TYPE' type='hidden'>"
                  "<value>urn:xmpp:mam:2</value></field><field var='with'><value>juliet@capulet.lit</value></field></x>"
                  "</query></iq>"),
    "stream_features": ("<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/></starttls>"
                        "<mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>SCRAM-SHA-1</mechanism>"
                        "<mechanism>PLAIN</mechanism></mechanisms></stream:features>"),
    "attr_ws": "<message to='a@b'\n  type = \"chat\"\tid='x\ty\r\nz'><body/></message>",
    "deep": "<iq type='get' id='d'>" + "".join("<e%d>" % i for i in range(7)) + "t" + "".join("</e%d>" % i for i in reversed(range(7))) + "</iq>",
}

def roster(n):
    items = "".join("<item jid='contact%d@example.org' name='Contact %d' subscription='both'><group>Friends</group></item>" % (i, i)
                    for i in range(n))
    return "<iq type='result' id='r1'><query xmlns='jabber:iq:roster' ver='ver14'>" + items + "</query></iq>"

def c2s(*names, hdr=C2S_HDR, end=True):
    body = "\n".join(stanzas[n] for n in names)
    return hdr + body + (END if end else "")

streams = {
    # RFC 6120 §9.1 client-to-server example, cut into its stream restarts
    "rfc6120_c2s_tls": C2S_HDR + stanzas["starttls"],
    "rfc6120_c2s_tls_restart": C2S_HDR + stanzas["starttls"] + C2S_HDR,
    "rfc6120_c2s_sasl": C2S_HDR + stanzas["auth_scram"] + stanzas["sasl_response"],
    "rfc6120_c2s_bind": C2S_HDR + stanzas["bind"] + stanzas["session"],
    "rfc3920_stream_close": C2S_HDR_BARE + END,
    "self_closing_header": "<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'/>",
    "bom_header": "\ufeff" + C2S_HDR + "<presence/>",
    "slixmpp_login": c2s("roster_get", "presence_caps", "disco_info", "carbons"),
    "gajim_session": c2s("presence_caps", "disco_result", "muc_join", "message_chat", "message_composing"),
    "conversations": c2s("carbons", "mam_query", "message_chat", "iq_ping", end=False),
    "chat_nonascii": c2s("message_nonascii", "message_entities"),
    "prefixed_ext": c2s("message_prefixed_ext", "iq_error"),
    "roster_200": C2S_HDR + roster(200) + END,
    "roster_set": c2s("roster_set", "presence_show", "presence_avail"),
    "features_as_stanza": c2s("stream_features"),
    "attr_whitespace": c2s("attr_ws", "deep"),
    "long_body": C2S_HDR + "<message to='a@b'><body>" + ("All the world's a stage. " * 300) + "</body></message>",
    # malformed: one per refusal class
    "bad_comment": C2S_HDR + "<message><!-- hidden --><body>x</body></message>",
    "bad_pi": C2S_HDR + "<?xml-stylesheet href='x'?>",
    "bad_doctype": "<?xml version='1.0'?><!DOCTYPE lolz [<!ENTITY lol 'lol'><!ENTITY lol2 '&lol;&lol;'>]>" + C2S_HDR + "<message><body>&lol2;</body></message>",
    "bad_entity": C2S_HDR + "<message><body>&nbsp;</body></message>",
    "bad_utf8": C2S_HDR + "<message><body>\udcc3(</body></message>",
    "bad_mismatch": C2S_HDR + "<message><body></message></body>",
    "bad_dup_attr": C2S_HDR + "<message a='1' a='2'/>",
    "bad_unbound_prefix": C2S_HDR + "<message p:a='1'/>",
    "bad_text_between": C2S_HDR + "hello",
    "bad_control_attr": C2S_HDR + "<message a='\x7f'/>",
    "bad_encoding": "<?xml version='1.0' encoding='ISO-8859-1'?>" + C2S_HDR_BARE,
    "bad_ns_stream": "<stream:stream xmlns='jabber:client' xmlns:stream='http://wrong.example.org/'>",
    "bad_prefix_stream": "<foo:stream xmlns='jabber:client' xmlns:foo='http://etherx.jabber.org/streams'>",
    "bad_prefixed_content": C2S_HDR + "<c:message xmlns:c='jabber:client'/>",
    "bad_charref": C2S_HDR + "<message><body>&#x110000;</body></message>",
    "bad_cdata_end": C2S_HDR + "<message><body>]]></body></message>",
    "bad_after_close": C2S_HDR_BARE + END + "<x/>",
    "bad_xml_version": "<?xml version='1.1'?>" + C2S_HDR_BARE,
    "bad_utf16": "\xff\xfe<\x00s\x00",
    "cap_depth": C2S_HDR + "<a>" * 70,
    "cap_attrs": C2S_HDR + "<a " + " ".join("a%d='1'" % i for i in range(70)) + "/>",
}

s2s = {
    "rfc3920_dialback": S2S_HDR + ("<db:result from='example.net' to='example.com'>"
                                   "b4835385f37fe2895af6c196b59097b16862406db80559900d96bf6fb7d56ce1</db:result>"
                                   "<db:verify from='example.com' to='example.net' id='457F9224A0'>"
                                   "b4835385f37fe2895af6c196b59097b16862406db80559900d96bf6fb7d56ce1</db:verify>"),
    "s2s_message": S2S_HDR + "<message from='juliet@im.example.com/balcony' to='romeo@example.net' type='chat'><body>hi</body></message>" + END,
    "s2s_tls": S2S_HDR + stanzas["starttls"] + S2S_HDR,
}

def write(dirname, name, data):
    os.makedirs(dirname, exist_ok=True)
    with open(os.path.join(dirname, name), "wb") as f:
        f.write(data)

def raw(s):
    if "\udcc3" in s:
        a, b = s.split("\udcc3")
        return a.encode() + b"\xc3" + b.encode()
    if s.startswith("\xff\xfe"):
        return s.encode("latin-1")
    return s.encode("utf-8")

# fuzz_xml mode byte: bit0 server ns, bits1-2 limits (0 preauth, 1 c2s, 2 s2s, 3 tiny),
# bits3-5 chunking, bit6 restart after starttls/proceed/success, bit7 switch caps.
def mode(server=0, limits=1, chunk=0, restart=0, toggle=0):
    return bytes([server | (limits << 1) | (chunk << 3) | (restart << 6) | (toggle << 7)])

for i, (name, s) in enumerate(sorted(streams.items())):
    data = raw(s)
    write("corpus/xml_diff", name, data)
    restart = 1 if "restart" in name or "tls" in name else 0
    write("corpus/xml", name, mode(0, [1, 0, 1, 3][i % 4], i % 8, restart, 1 if i % 5 == 0 else 0) + data)
for i, (name, s) in enumerate(sorted(s2s.items())):
    write("corpus/xml", name, mode(1, 2, i % 8, 1, 0) + raw(s))
write("corpus/xml", "roster_200_preauth", mode(0, 0, 7) + raw(streams["roster_200"]))
write("corpus/xml", "gajim_toggle_caps", mode(0, 0, 2, 0, 1) + raw(streams["gajim_session"]))
