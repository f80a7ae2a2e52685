#!/usr/bin/env python3
"""fuzz/make_seeds_s2s.py — writes corpus/s2s_in/, corpus/s2s_out/, corpus/s2s_verify/ and
corpus/stanza_reply/: server-to-server dialogues in the record formats of fuzz_s2s_in.c,
fuzz_s2s_out.c, fuzz_s2s_verify.c and fuzz_stanza_reply.c (see their header comments).

Each s2s seed is a real dialogue (RFC 3920 §5-§8 and XEP-0220 / XEP-0178 examples, what
Prosody and ejabberd send) cut into records: the peer's bytes and the shell's events between
them (TLS done with a certificate, verify outcomes, connected, requests). Dialback keys are the
XEP-0185 keys of the harnesses' secret (fuzz/support_s2s.h), so <db:verify/> requests to us as
authoritative server verify. Run from the repository root.
"""
import hashlib
import hmac
import os

SECRET = b"s3cr3t-dialback-secret-for-fuzz"
NS = ("xmlns='jabber:server' xmlns:db='jabber:server:dialback' "
      "xmlns:stream='http://etherx.jabber.org/streams'")


def key(receiving, originating, sid):
    k = hashlib.sha256(SECRET).hexdigest().encode()
    return hmac.new(k, f"{receiving} {originating} {sid}".encode(), hashlib.sha256).hexdigest()


def rec(ctl, body=b""):
    if isinstance(body, str):
        body = body.encode()
    out = b""
    while True:  # bodies over 255 bytes become several records of the same kind
        chunk, body = body[:255], body[255:]
        out += bytes([ctl, len(chunk)]) + chunk
        if not body:
            return out


def peer(text):
    return rec(0, text)


def peer_bytewise(text):
    return rec(7, text)


# --- what a peer (initiating server) sends to us ------------------------------------------
HDR = ("<?xml version='1.0'?><stream:stream " + NS +
       " from='remote.example' to='example.com' version='1.0'>")
HDR_PUBSUB = ("<?xml version='1.0'?><stream:stream " + NS +
              " from='pubsub.remote.example' to='example.com' version='1.0'>")
HDR_LEGACY = "<?xml version='1.0'?><stream:stream " + NS + " to='example.com'>"
HDR_NO_DB = ("<stream:stream xmlns='jabber:server' xmlns:stream='http://etherx.jabber.org/streams' "
             "from='remote.example' to='example.com' version='1.0'>")
HDR_DB_WRONG = ("<stream:stream xmlns='jabber:server' xmlns:db='urn:wrong' "
                "xmlns:stream='http://etherx.jabber.org/streams' from='remote.example' to='example.com' version='1.0'>")
HDR_UNKNOWN = "<stream:stream " + NS + " from='remote.example' to='nowhere.example' version='1.0'>"
HDR_GONE = "<stream:stream " + NS + " from='remote.example' to='old.example.com' version='1.0'>"
HDR_CLIENT_NS = ("<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' "
                 "to='example.com' version='1.0'>")
HDR_OTHER = "<stream:stream " + NS + " from='remote.example' to='other.example.com' version='1.0'>"
STARTTLS = "<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>"
EXTERNAL = "<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='EXTERNAL'>=</auth>"
EXTERNAL_AUTHZ = "<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='EXTERNAL'>cmVtb3RlLmV4YW1wbGU=</auth>"
AUTH_PLAIN = "<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>AGZvbwBiYXI=</auth>"
RKEY = "37c69b1cf07a3f67c04a5ef5902fa5114f2c76fe4a2686482ba5b89323075643"
DB_RESULT = f"<db:result from='remote.example' to='example.com'>{RKEY}</db:result>"
DB_RESULT_PUBSUB = f"<db:result from='pubsub.remote.example' to='example.com'>{RKEY}</db:result>"
DB_RESULT_OTHER = f"<db:result from='remote.example' to='other.example.com'>{RKEY}</db:result>"
DB_RESULT_NS = (f"<db:result xmlns:db='jabber:server:dialback' from='remote.example' to='example.com'>"
                f"{RKEY}</db:result>")
DB_RESULT_OWN = f"<db:result from='example.com' to='example.com'>{RKEY}</db:result>"
DB_RESULT_BADTO = f"<db:result from='remote.example' to='nowhere.example'>{RKEY}</db:result>"
DB_RESULT_NOADDR = f"<db:result>{RKEY}</db:result>"
DB_RESULT_LONG = "<db:result from='remote.example' to='example.com'>" + "a" * 200 + "</db:result>"
DB_RESULT_SPOOF = "<db:result from='remote.example' to='example.com' type='valid'/>"
DB_VERIFY_SPOOF = "<db:verify from='remote.example' to='example.com' id='x' type='valid'/>"
VID = "417GAF25"
DB_VERIFY_OK = (f"<db:verify from='remote.example' to='example.com' id='{VID}'>"
                f"{key('remote.example', 'example.com', VID)}</db:verify>")
DB_VERIFY_BAD = (f"<db:verify from='remote.example' to='example.com' id='{VID}'>"
                 f"{key('remote.example', 'example.com', 'other')}</db:verify>")
DB_VERIFY_UNKNOWN = f"<db:verify from='remote.example' to='nowhere.example' id='{VID}'>abc</db:verify>"
MSG = ("<message from='juliet@remote.example/balcony' to='romeo@example.com' id='m1' type='chat'>"
       "<body>Art thou not Romeo, and a Montague? \u00e9\u6f22</body></message>")
MSG_PUBSUB = ("<message from='pubsub.remote.example' to='romeo@example.com' id='n1'>"
              "<event xmlns='http://jabber.org/protocol/pubsub#event'><items node='princely_musings'/></event></message>")
MSG_SPOOF = "<message from='mallory@evil.example' to='romeo@example.com'><body>x</body></message>"
MSG_NOADDR = "<message to='romeo@example.com'><body>x</body></message>"
PRESENCE = "<presence from='juliet@remote.example/balcony' to='romeo@example.com'/>"
PROBE = "<presence from='juliet@remote.example' to='romeo@example.com' type='probe'/>"
IQ = ("<iq from='remote.example' to='example.com' id='ping1' type='get'><ping xmlns='urn:xmpp:ping'/></iq>")
IQ_VERSION = ("<iq from='juliet@remote.example/balcony' to='example.com' id='v1' type='get'>"
              "<query xmlns='jabber:iq:version'/></iq>")
BIDI = "<bidi xmlns='urn:xmpp:bidi'/>"
CLOSE = "</stream:stream>"
STREAM_ERROR = ("<stream:error><host-unknown xmlns='urn:ietf:params:xml:ns:xmpp-streams'/>"
                "</stream:error></stream:stream>")

TLS_DONE = rec(1)                      # TLS up, a certificate whose chain did not verify
TLS_DONE_CERT = rec(1 | 8 | 16)        # chain verified, DNS-ID remote.example
TLS_NO_CERT = rec(1 | 64)              # no certificate presented
TLS_WILDCARD = rec(1 | 8 | 32, b"*.remote.example")
TLS_XMPPADDR = rec(1 | 8 | 32 | (2 << 6), b"remote.example")
VALID = rec(3)                         # the outcome of the first VERIFY request: valid
INVALID = rec(3 | (1 << 3))
ERROR = rec(3 | (2 << 3))
STALE_SERIAL = rec(3 | 32)             # CVE-2012-3525: an outcome nobody asked for
OTHER_PAIR = rec(3 | 64)
TIMEOUT = rec(4)
OUTPUT_FULL = rec(4 | 8)
SHUTDOWN = rec(5)
POLICY = rec(6)

REQ = 1          # require_tls
PLAIN_DB = 2     # plain_dialback
ALLOW = 1 << 2
CLOSED_POL = 2 << 2

to_secure = peer(HDR) + peer(STARTTLS) + TLS_DONE + peer(HDR)
stanzas = peer(MSG) + peer(PRESENCE) + peer(PROBE) + peer(IQ) + peer(IQ_VERSION)

s2s_in = {
    "dialback_tls": bytes([REQ, 0]) + to_secure + peer(DB_RESULT) + VALID + stanzas + peer(CLOSE),
    "dialback_tls_invalid": bytes([REQ, 0]) + to_secure + peer(DB_RESULT) + INVALID + peer(MSG),
    "dialback_tls_error": bytes([REQ, 0]) + to_secure + peer(DB_RESULT) + ERROR + peer(DB_RESULT) + VALID + peer(MSG),
    "dialback_two_pairs": bytes([REQ, 0]) + to_secure + peer(DB_RESULT) + peer(DB_RESULT_PUBSUB) + rec(3, bytes([0])) +
    bytes([3, 1]) + peer(MSG) + peer(MSG_PUBSUB) + peer(DB_RESULT_OTHER) + rec(3, bytes()) + peer(CLOSE),
    "dialback_pipelined": bytes([REQ, 0]) + peer(HDR + STARTTLS) + TLS_DONE + peer(HDR + DB_RESULT + MSG) + VALID +
    peer(MSG + PRESENCE + CLOSE),
    "dialback_bytewise": bytes([REQ, 0]) + peer_bytewise(HDR) + peer(STARTTLS) + TLS_DONE + peer_bytewise(HDR) +
    peer_bytewise(DB_RESULT) + VALID + peer_bytewise(MSG),
    "dialback_plain_legacy": bytes([PLAIN_DB, 0]) + peer(HDR_LEGACY) + peer(DB_RESULT) + VALID + stanzas,
    "dialback_plain_v1": bytes([PLAIN_DB, 0]) + peer(HDR) + peer(DB_RESULT) + VALID + peer(MSG),
    "dialback_plain_refused": bytes([REQ, 0]) + peer(HDR) + peer(DB_RESULT) + VALID + peer(MSG),
    "dialback_ns_on_element": bytes([REQ, 0]) + peer(HDR_NO_DB) + peer(STARTTLS) + TLS_DONE + peer(HDR_NO_DB) +
    peer(DB_RESULT_NS) + VALID + peer(MSG),
    "verify_as_authoritative": bytes([REQ, 0]) + to_secure + peer(DB_VERIFY_OK) + peer(DB_VERIFY_BAD) +
    peer(DB_VERIFY_UNKNOWN) + peer(CLOSE),
    "verify_plain_legacy": bytes([PLAIN_DB, 0]) + peer(HDR_LEGACY) + peer(DB_VERIFY_OK),
    "sasl_external": bytes([REQ, 0]) + peer(HDR) + peer(STARTTLS) + TLS_DONE_CERT + peer(HDR) + peer(EXTERNAL) +
    peer(HDR) + stanzas + peer(CLOSE),
    "sasl_external_authzid": bytes([REQ, 0]) + peer(HDR) + peer(STARTTLS) + TLS_XMPPADDR + peer(HDR) +
    peer(EXTERNAL_AUTHZ) + peer(HDR) + peer(MSG),
    "sasl_external_wildcard": bytes([REQ, 0]) + peer(HDR_PUBSUB) + peer(STARTTLS) + TLS_WILDCARD + peer(HDR_PUBSUB) +
    peer(EXTERNAL) + peer(HDR_PUBSUB) + peer(MSG_PUBSUB),
    "sasl_external_no_cert": bytes([REQ, 0]) + peer(HDR) + peer(STARTTLS) + TLS_NO_CERT + peer(HDR) + peer(EXTERNAL) +
    peer(DB_RESULT) + VALID + peer(MSG),
    "sasl_other_mech": bytes([REQ, 0]) + to_secure + peer(AUTH_PLAIN),
    "direct_tls_external": bytes([REQ | 64 | 128, 0]) + peer(HDR) + peer(EXTERNAL) + peer(HDR) + peer(MSG),
    "direct_tls_dialback": bytes([REQ | 64, 0]) + peer(HDR) + peer(DB_RESULT) + VALID + peer(MSG),
    "cve_2012_3525_spoof": bytes([REQ, 0]) + to_secure + peer(DB_RESULT_SPOOF) + peer(MSG),
    "cve_2012_3525_verify_spoof": bytes([REQ, 0]) + to_secure + peer(DB_VERIFY_SPOOF) + peer(MSG),
    "cve_2012_3525_stale": bytes([REQ, 0]) + to_secure + peer(DB_RESULT) + STALE_SERIAL + OTHER_PAIR + peer(MSG) +
    VALID + peer(MSG_SPOOF),
    "outcome_unasked": bytes([REQ, 0]) + to_secure + rec(3, bytes([9])) + peer(MSG),
    "stanza_before_auth": bytes([REQ, 0]) + to_secure + peer(MSG),
    "stanza_no_addr": bytes([REQ, 0]) + to_secure + peer(DB_RESULT) + VALID + peer(MSG_NOADDR),
    "stanza_spoofed_from": bytes([REQ, 0]) + to_secure + peer(DB_RESULT) + VALID + peer(MSG_SPOOF),
    "db_result_own_from": bytes([REQ, 0]) + to_secure + peer(DB_RESULT_OWN),
    "db_result_bad_to": bytes([REQ, 0]) + to_secure + peer(DB_RESULT_BADTO),
    "db_result_no_addr": bytes([REQ, 0]) + to_secure + peer(DB_RESULT_NOADDR),
    "db_result_long_key": bytes([REQ, 0]) + to_secure + peer(DB_RESULT_LONG),
    "verify_max": bytes([REQ, 0]) + to_secure + peer(DB_RESULT) + peer(DB_RESULT_PUBSUB) + peer(DB_RESULT_OTHER),
    "host_unknown": bytes([REQ, 0]) + peer(HDR_UNKNOWN),
    "host_gone": bytes([REQ, 0]) + peer(HDR_GONE),
    "host_changed": bytes([REQ, 0]) + peer(HDR) + peer(STARTTLS) + TLS_DONE + peer(HDR_OTHER),
    "db_wrong_ns": bytes([REQ, 0]) + peer(HDR_DB_WRONG),
    "client_ns": bytes([REQ, 0]) + peer(HDR_CLIENT_NS),
    "legacy_no_db": bytes([PLAIN_DB, 0]) + peer("<stream:stream xmlns='jabber:server' "
                                                "xmlns:stream='http://etherx.jabber.org/streams' to='example.com'>"),
    "bidi": bytes([REQ, 0]) + to_secure + peer(BIDI),
    "restricted_comment": bytes([REQ, 0]) + peer(HDR) + peer("<!-- hi -->" + STARTTLS),
    "restricted_pi": bytes([REQ, 0]) + to_secure + peer("<?evil?>" + DB_RESULT),
    "restricted_dtd": bytes([REQ, 0]) + peer("<?xml version='1.0'?><!DOCTYPE x [<!ENTITY a 'b'>]>" + HDR),
    "not_well_formed": bytes([REQ, 0]) + to_secure + peer(DB_RESULT) + VALID + peer("<message><body>x</message>"),
    "stream_error_from_peer": bytes([REQ, 0]) + to_secure + peer(STREAM_ERROR),
    "starttls_injection": bytes([REQ, 0]) + peer(HDR) + peer(STARTTLS + DB_RESULT) + TLS_DONE + peer(HDR),
    "starttls_twice": bytes([REQ, 0]) + to_secure + peer(STARTTLS),
    "tls_failed": bytes([REQ, 0]) + peer(HDR) + peer(STARTTLS) + rec(2),
    "timeout_in_tls": bytes([REQ, 0]) + peer(HDR) + peer(STARTTLS) + TIMEOUT,
    "timeout_in_dialback": bytes([REQ, 0]) + to_secure + peer(DB_RESULT) + TIMEOUT + VALID,
    "output_full": bytes([REQ, 0]) + to_secure + peer(DB_RESULT) + VALID + OUTPUT_FULL,
    "shutdown_authed": bytes([REQ, 0]) + to_secure + peer(DB_RESULT) + VALID + peer(MSG) + SHUTDOWN + peer(MSG),
    "policy_refused": bytes([REQ, 0]) + to_secure + peer(DB_RESULT) + VALID + POLICY + peer(MSG),
    "allowlist": bytes([REQ | ALLOW, 0]) + to_secure + peer(DB_RESULT) + VALID + peer(MSG),
    "allowlist_refused": bytes([REQ | ALLOW, 0]) + peer(HDR.replace("remote.example", "evil.example")),
    "policy_closed": bytes([REQ | CLOSED_POL, 0]) + peer(HDR),
    "squeezed_nodes": bytes([REQ | (1 << 4), 6]) + to_secure + peer(DB_RESULT) + VALID + stanzas,
    "squeezed_bytes": bytes([REQ | (3 << 4), 40]) + to_secure + peer(DB_RESULT) + VALID + stanzas,
}

# --- what the receiving server sends to us when we initiate --------------------------------
RHDR = ("<?xml version='1.0'?><stream:stream " + NS +
        " from='remote.example' to='example.com' id='{}' version='1.0'>")
RHDR_LEGACY = "<stream:stream " + NS + " from='remote.example' id='{}'>"
FEAT_TLS = ("<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/></starttls>"
            "</stream:features>")
FEAT_DB = ("<stream:features><dialback xmlns='urn:xmpp:features:dialback'><errors/></dialback>"
           "</stream:features>")
FEAT_EXT = ("<stream:features><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>"
            "<mechanism>EXTERNAL</mechanism></mechanisms><dialback xmlns='urn:xmpp:features:dialback'/>"
            "</stream:features>")
FEAT_NONE = "<stream:features/>"
PROCEED = "<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>"
TLS_FAILURE = "<failure xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>"
SUCCESS = "<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>"
SASL_FAILURE = "<failure xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><not-authorized/></failure>"
RES_VALID = "<db:result from='remote.example' to='example.com' type='valid'/>"
RES_VALID_OTHER = "<db:result from='remote.example' to='other.example.com' type='valid'/>"
RES_INVALID = "<db:result from='remote.example' to='example.com' type='invalid'/>"
RES_ERROR = ("<db:result from='remote.example' to='example.com' type='error'><error type='cancel'>"
             "<item-not-found xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></db:result>")
RES_WRONG = "<db:result from='evil.example' to='example.com' type='valid'/>"
INBOUND_MSG = "<message from='juliet@remote.example' to='romeo@example.com'><body>back</body></message>"

CONNECTED = rec(4)
RESOLVE_FAILED = rec(4 | (1 << 3))
CONNECT_FAILED = rec(4 | (2 << 3))
OUT_TIMEOUT = rec(5)
OUT_SHUTDOWN = rec(5 | (1 << 3))
OUT_POLICY = rec(5 | (2 << 3))
OUT_FULL = rec(5 | (3 << 3))
STANZA = rec(3)                        # the standard message from example.com
STANZA_OTHER = rec(3 | (1 << 3))       # from other.example.com
STANZA_FOREIGN = rec(3 | (2 << 3))     # from remote.example: not ours
OWN = ("<presence from='romeo@example.com/orchard' to='juliet@remote.example' type='subscribe' id='s1'/>")
STANZA_OWN = rec(3 | 32, OWN)
STANZA_IQ = rec(3 | 32, "<iq from='romeo@example.com/orchard' to='remote.example' type='get' id='q1'>"
                "<query xmlns='http://jabber.org/protocol/disco#info'/></iq>")
NEW_PAIR_OTHER = rec(6 | (1 << 3))
NEW_PAIR_FOREIGN = rec(6 | (2 << 3))

out_secure = CONNECTED + peer(RHDR.format("i1")) + peer(FEAT_TLS) + peer(PROCEED) + TLS_DONE_CERT + \
    peer(RHDR.format("i2")) + peer(FEAT_DB)

s2s_out = {
    "dialback_tls": bytes([REQ, 0]) + STANZA + out_secure + peer(RES_VALID) + STANZA + STANZA_OWN + STANZA_IQ +
    peer(CLOSE),
    "dialback_tls_queue_full": bytes([REQ, 0]) + STANZA + STANZA + STANZA + STANZA + out_secure + peer(RES_VALID),
    "dialback_invalid": bytes([REQ, 0]) + STANZA + out_secure + peer(RES_INVALID) + STANZA,
    "dialback_error": bytes([REQ, 0]) + STANZA + out_secure + peer(RES_ERROR) + STANZA,
    "dialback_wrong_pair": bytes([REQ, 0]) + STANZA + out_secure + peer(RES_WRONG),
    "dialback_new_pair": bytes([REQ, 0]) + STANZA + out_secure + peer(RES_VALID) + NEW_PAIR_OTHER + STANZA_OTHER +
    peer(RES_VALID_OTHER) + STANZA_OTHER,
    "new_pair_foreign": bytes([REQ, 0]) + out_secure + NEW_PAIR_FOREIGN + STANZA_FOREIGN,
    "dialback_pipelined": bytes([REQ, 0]) + STANZA + CONNECTED + peer(RHDR.format("i1") + FEAT_TLS + PROCEED) +
    TLS_DONE_CERT + peer(RHDR.format("i2") + FEAT_DB + RES_VALID) + STANZA,
    "dialback_bytewise": bytes([REQ, 0]) + STANZA + CONNECTED + peer_bytewise(RHDR.format("i1") + FEAT_TLS) +
    peer_bytewise(PROCEED) + TLS_DONE_CERT + peer_bytewise(RHDR.format("i2") + FEAT_DB) + peer_bytewise(RES_VALID),
    "dialback_plain": bytes([PLAIN_DB, 0]) + STANZA + CONNECTED + peer(RHDR.format("p1")) + peer(FEAT_DB) +
    peer(RES_VALID) + STANZA,
    "dialback_plain_legacy": bytes([PLAIN_DB, 0]) + STANZA + CONNECTED + peer(RHDR_LEGACY.format("p1")) +
    peer(RES_VALID) + STANZA,
    "legacy_required_tls": bytes([REQ, 0]) + STANZA + CONNECTED + peer(RHDR_LEGACY.format("p1")) + peer(RES_VALID),
    "no_starttls_offered": bytes([REQ, 0]) + STANZA + CONNECTED + peer(RHDR.format("p1")) + peer(FEAT_DB),
    "sasl_external": bytes([REQ, 0]) + STANZA + CONNECTED + peer(RHDR.format("i1")) + peer(FEAT_TLS) + peer(PROCEED) +
    TLS_DONE_CERT + peer(RHDR.format("i2")) + peer(FEAT_EXT) + peer(SUCCESS) + peer(RHDR.format("i3")) +
    peer(FEAT_NONE) + STANZA + peer(CLOSE),
    "sasl_external_failure": bytes([REQ, 0]) + STANZA + CONNECTED + peer(RHDR.format("i1")) + peer(FEAT_TLS) +
    peer(PROCEED) + TLS_DONE_CERT + peer(RHDR.format("i2")) + peer(FEAT_EXT) + peer(SASL_FAILURE) + peer(RES_VALID),
    "tls_failure_element": bytes([REQ, 0]) + STANZA + CONNECTED + peer(RHDR.format("i1")) + peer(FEAT_TLS) +
    peer(TLS_FAILURE),
    "tls_failed": bytes([REQ, 0]) + STANZA + CONNECTED + peer(RHDR.format("i1")) + peer(FEAT_TLS) + peer(PROCEED) +
    rec(2),
    "tls_bad_cert": bytes([REQ, 0]) + STANZA + CONNECTED + peer(RHDR.format("i1")) + peer(FEAT_TLS) + peer(PROCEED) +
    TLS_DONE + peer(RHDR.format("i2")) + peer(FEAT_EXT) + peer(RES_VALID) + STANZA,
    "resolve_failed": bytes([REQ, 0]) + STANZA + STANZA_OTHER + RESOLVE_FAILED + STANZA,
    "connect_failed": bytes([REQ, 0]) + STANZA + CONNECT_FAILED,
    "timeout_connecting": bytes([REQ, 0]) + STANZA + OUT_TIMEOUT,
    "timeout_dialback": bytes([REQ, 0]) + STANZA + out_secure + OUT_TIMEOUT,
    "shutdown_ready": bytes([REQ, 0]) + STANZA + out_secure + peer(RES_VALID) + OUT_SHUTDOWN + STANZA,
    "policy_refused": bytes([REQ, 0]) + STANZA + out_secure + OUT_POLICY,
    "output_full": bytes([REQ, 0]) + out_secure + peer(RES_VALID) + OUT_FULL,
    "stream_error": bytes([REQ, 0]) + STANZA + out_secure + peer(STREAM_ERROR),
    "stanza_from_peer": bytes([REQ, 0]) + out_secure + peer(RES_VALID) + peer(INBOUND_MSG),
    "restricted_xml": bytes([REQ, 0]) + STANZA + CONNECTED + peer("<!DOCTYPE x>" + RHDR.format("d")),
    "policy_closed": bytes([REQ | CLOSED_POL, 0]) + STANZA + CONNECTED + peer(RHDR.format("c")),
    "other_sender": bytes([REQ | 64, 0]) + STANZA_OTHER + out_secure + peer(RES_VALID_OTHER) + STANZA_OTHER,
    "squeezed_nodes": bytes([REQ | (1 << 4), 5]) + STANZA + out_secure + peer(RES_VALID) + STANZA,
}

# --- what the authoritative server sends to our verify connection ---------------------------
AHDR = ("<?xml version='1.0'?><stream:stream " + NS +
        " from='remote.example' to='example.com' id='{}' version='1.0'>")
AHDR_LEGACY = "<stream:stream " + NS + " from='remote.example' id='{}'>"


def request(sid):
    return rec(3, sid)  # id "i" + sid, key the XEP-0185 key of that id


def raw_request(sid, k):
    return rec(3 | 8, f"{sid} {k}")


def answer(sid, typ):
    return f"<db:verify from='remote.example' to='example.com' id='i{sid}' type='{typ}'/>"


v_secure = CONNECTED + peer(AHDR.format("a1")) + peer(FEAT_TLS) + peer(PROCEED) + TLS_DONE_CERT + \
    peer(AHDR.format("a2")) + peer(FEAT_DB)

s2s_verify = {
    "verify_valid": bytes([REQ, 0]) + request("d1") + v_secure + peer(answer("d1", "valid")) + rec(5) + peer(CLOSE),
    "verify_invalid": bytes([REQ, 0]) + request("d1") + v_secure + peer(answer("d1", "invalid")),
    "verify_error": bytes([REQ, 0]) + request("d1") + v_secure +
    peer(f"<db:verify from='remote.example' to='example.com' id='id1' type='error'><error type='cancel'>"
         f"<remote-server-not-found xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></db:verify>"),
    "verify_several": bytes([REQ, 0]) + request("d1") + request("d2") + v_secure + request("d3") +
    peer(answer("d2", "valid") + answer("d1", "invalid")) + peer(answer("d3", "valid")),
    "verify_unasked_answer": bytes([REQ, 0]) + request("d1") + v_secure + peer(answer("zz", "valid")) +
    peer(answer("d1", "valid")) + peer(answer("d1", "valid")),
    "verify_wrong_from": bytes([REQ, 0]) + request("d1") + v_secure +
    peer("<db:verify from='evil.example' to='example.com' id='id1' type='valid'/>"),
    "verify_raw_key": bytes([REQ, 0]) + raw_request("abc", "0" * 64) + raw_request("x" * 70, "k") +
    raw_request("", "") + v_secure,
    "verify_plain": bytes([PLAIN_DB, 0]) + request("d1") + CONNECTED + peer(AHDR.format("p1")) + peer(FEAT_DB) +
    peer(answer("d1", "valid")),
    "verify_plain_legacy": bytes([PLAIN_DB, 0]) + request("d1") + CONNECTED + peer(AHDR_LEGACY.format("p1")) +
    peer(answer("d1", "valid")),
    "verify_required_tls_missing": bytes([REQ, 0]) + request("d1") + CONNECTED + peer(AHDR.format("p1")) +
    peer(FEAT_DB),
    "verify_pipelined": bytes([REQ, 0]) + request("d1") + CONNECTED + peer(AHDR.format("a1") + FEAT_TLS + PROCEED) +
    TLS_DONE_CERT + peer(AHDR.format("a2") + FEAT_DB + answer("d1", "valid")),
    "verify_bytewise": bytes([REQ, 0]) + request("d1") + CONNECTED + peer_bytewise(AHDR.format("a1") + FEAT_TLS) +
    peer_bytewise(PROCEED) + TLS_DONE_CERT + peer_bytewise(AHDR.format("a2") + FEAT_DB + answer("d1", "valid")),
    "verify_full": bytes([REQ, 0]) + b"".join(request(f"r{i}") for i in range(18)) + v_secure,
    "verify_reused_token": bytes([REQ, 0]) + request("d1") + rec(3 | 16, "d2") + v_secure + peer(answer("d1", "valid")),
    "resolve_failed": bytes([REQ, 0]) + request("d1") + request("d2") + RESOLVE_FAILED,
    "connect_failed": bytes([REQ, 0]) + request("d1") + CONNECT_FAILED,
    "tls_failed": bytes([REQ, 0]) + request("d1") + CONNECTED + peer(AHDR.format("a1")) + peer(FEAT_TLS) +
    peer(PROCEED) + rec(2),
    "timeout": bytes([REQ, 0]) + request("d1") + v_secure + rec(5 | (1 << 3)),
    "shutdown": bytes([REQ, 0]) + request("d1") + v_secure + rec(5 | (2 << 3)),
    "idle_then_request": bytes([REQ, 0]) + request("d1") + v_secure + peer(answer("d1", "valid")) + rec(5) +
    request("d2"),
    "stream_error": bytes([REQ, 0]) + request("d1") + request("d2") + v_secure + peer(STREAM_ERROR),
    "peer_closes": bytes([REQ, 0]) + request("d1") + v_secure + peer(CLOSE),
    "restricted_xml": bytes([REQ, 0]) + request("d1") + CONNECTED + peer(AHDR.format("a1")) + peer("<!-- c -->"),
    "empty_request": bytes([REQ, 0]) + rec(6) + v_secure,
    "squeezed_attrs": bytes([REQ | (2 << 4), 4]) + request("d1") + v_secure + peer(answer("d1", "valid")),
}

# --- stanzas the shell cannot deliver -------------------------------------------------------


def reply_seed(ns_client, typ, cond, cap, text, squeeze_pool=0, squeeze=0):
    return bytes([(1 if ns_client else 0) | (typ << 1) | (squeeze_pool << 4), cond, cap, squeeze]) + text.encode()


stanza_reply = {
    "message_server": reply_seed(0, 1, 8, 0, MSG),
    "message_client": reply_seed(1, 1, 8, 0, "<message from='juliet@example.com/balcony' to='romeo@remote.example' "
                                 "id='c1' type='chat'><body>hi</body></message>"),
    "presence_subscribe": reply_seed(0, 1, 15, 0, OWN),
    "iq_get": reply_seed(0, 0, 3, 0, IQ_VERSION),
    "iq_disco": reply_seed(0, 4, 20, 0, "<iq from='romeo@example.com/orchard' to='remote.example' type='get' id='q1'>"
                           "<query xmlns='http://jabber.org/protocol/disco#info'/></iq>"),
    "error_stanza": reply_seed(0, 1, 8, 0, "<message from='a@remote.example' to='b@example.com' type='error'>"
                               "<error type='cancel'><item-not-found xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>"
                               "</error></message>"),
    "no_from": reply_seed(0, 1, 8, 0, MSG_NOADDR),
    "bad_from": reply_seed(0, 1, 8, 0, "<message from='@@bad' to='b@example.com'/>"),
    "no_to": reply_seed(0, 1, 8, 0, "<message from='a@remote.example'><body>x</body></message>"),
    "namespaced_payload": reply_seed(0, 2, 5, 0, MSG_PUBSUB),
    "prefixed": reply_seed(0, 1, 8, 0, "<x:message xmlns:x='jabber:server' from='a@remote.example' to='b@example.com'>"
                           "<x:body>p</x:body></x:message>"),
    "lang_and_escapes": reply_seed(1, 1, 8, 0, "<message xml:lang='fr' from='a@example.com' to='b@remote.example' "
                                   "id='&amp;&lt;&apos;'><body>&lt;&#x263A;&gt;</body></message>"),
    "small_cap": reply_seed(0, 1, 8, 16, MSG),
    "tiny_cap": reply_seed(0, 1, 8, 4, MSG),
    "two_stanzas": reply_seed(0, 1, 8, 0, MSG + PRESENCE),
    "not_well_formed": reply_seed(0, 1, 8, 0, "<message from='a@remote.example'><body></message>"),
    "restricted": reply_seed(0, 1, 8, 0, "<!-- c --><message from='a@remote.example'/>"),
    "squeezed_nodes": reply_seed(0, 1, 8, 0, MSG, 1, 3),
    "squeezed_bytes": reply_seed(1, 1, 8, 0, MSG, 3, 10),
    "unicode_jids": reply_seed(0, 3, 11, 0, "<message from='ju\u0308liet@r\u00e9mote.example/\u6f22' "
                               "to='romeo@example.com'><body>\u00e9</body></message>"),
}

for d, seeds in (("corpus/s2s_in", s2s_in), ("corpus/s2s_out", s2s_out), ("corpus/s2s_verify", s2s_verify),
                 ("corpus/stanza_reply", stanza_reply)):
    os.makedirs(d, exist_ok=True)
    for name, data in seeds.items():
        with open(os.path.join(d, name), "wb") as f:
            f.write(data)
    print(f"{d}: {len(seeds)} seeds")
