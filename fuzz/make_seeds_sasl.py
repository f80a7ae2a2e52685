#!/usr/bin/env python3
"""fuzz/make_seeds_sasl.py — writes corpus/sasl/: the seeds of fuzz/fuzz_sasl.c.

Each seed is three set-up bytes (see the header comment of fuzz/fuzz_sasl.c) and a client's
first message, optionally followed by one step response (split point in byte 2) or with the
SCRAM client-final computed by the harness (mode 2, faults in byte 2). The messages are what
real clients send: SCRAM client-first with each GS2 flag ("n,,", "y,,", "p=tls-unique,",
"p=tls-exporter,"), with and without an authzid ("a="), escaped names, extensions; client-final
messages; PLAIN (authzid NUL authcid NUL password) with right and wrong passwords, another
user's authzid, JID forms, SASLprep-equivalent passwords; EXTERNAL with and without authzid;
empty and garbage input.

    python3 fuzz/make_seeds_sasl.py            # rewrites corpus/sasl/seed_* (other files stay)
    FUZZ_SASL_TRACE=1 build/replay/sasl corpus/sasl/seed_*   # shows how each one ends
"""
import base64
import os
import sys

EXTERNAL, S256P, S256, S1P, S1, PLAIN, MECH_OUT_OF_RANGE = 0, 1, 2, 3, 4, 5, 6
MODE_NONE, MODE_RAW, MODE_COMPUTED, MODE_RAW_TWICE = 0, 1, 2, 3
CB_NONE, CB_EXPORTER, CB_UNIQUE, CB_EXP_ADD_UNIQUE, CB_UNIQUE_ADD_EXP, CB_NO_DATA, CB_EXP_REPLACED, CB_BAD_TYPE = range(8)
CERT_NONE, CERT_ALICE, CERT_CAROL, CERT_OTHER_HOST = range(4)
F_BOB, F_CB, F_GS2, F_NONCE, F_PROOF = 0x01, 0x02, 0x04, 0x08, 0x10

CNONCE = "fyko+d2lbbFgONRv9qkxdawL"            # RFC 5802 §5's client nonce
SNONCE = CNONCE + "3rfcNHYJY1ZVvWVs7j"         # ... and its combined nonce
PROOF20 = base64.b64encode(bytes(range(20))).decode()
PROOF32 = base64.b64encode(bytes(range(32))).decode()
ALICE_PW = "alice-Pa55word"
BOB_PW = "b\u00f6b secret"


def header(mech, present=1, secure=0, cb=CB_NONE, cert=CERT_NONE, mode=MODE_NONE, repeat=0, upper=0, extra=0,
           stop=0, arg=0):
    b0 = mech | (present << 3) | (secure << 4) | (cb << 5)
    b1 = cert | (mode << 2) | (repeat << 4) | (upper << 5) | (extra << 6) | (stop << 7)
    return bytes([b0, b1, arg])


def raw(first, second, **kw):
    """first message + one step response, split at byte 2."""
    first = first.encode() if isinstance(first, str) else first
    second = second.encode() if isinstance(second, str) else second
    assert len(first) < 256, "the split point is one byte"
    return header(mode=kw.pop("mode", MODE_RAW), arg=len(first), **kw) + first + second


def msg(m, **kw):
    m = m.encode() if isinstance(m, str) else m
    return header(**kw) + m


def cbind(gs2, data=b""):
    return base64.b64encode(gs2.encode() + data).decode()


SEEDS = {
    # --- SCRAM, the harness computes the client-final (mode 2) -------------------------
    "scram256_n_alice": msg("n,,n=alice,r=" + CNONCE, mech=S256, mode=MODE_COMPUTED),
    "scram1_n_alice_tls": msg("n,,n=alice,r=" + CNONCE, mech=S1, secure=1, mode=MODE_COMPUTED),
    "scram256_n_bob": msg("n,,n=bob,r=" + CNONCE, mech=S256, mode=MODE_COMPUTED, arg=F_BOB),
    "scram256_wrong_password": msg("n,,n=alice,r=" + CNONCE, mech=S256, mode=MODE_COMPUTED, arg=F_BOB),
    "scram256_flipped_proof": msg("n,,n=alice,r=" + CNONCE, mech=S256, mode=MODE_COMPUTED, arg=F_PROOF),
    "scram256_client_nonce_only": msg("n,,n=alice,r=" + CNONCE, mech=S256, mode=MODE_COMPUTED, arg=F_NONCE),
    "scram256_cbind_flag_differs": msg("n,,n=alice,r=" + CNONCE, mech=S256, mode=MODE_COMPUTED, arg=F_GS2),
    "scram256_unknown_user": msg("n,,n=mallory,r=" + CNONCE, mech=S256, mode=MODE_COMPUTED),
    "scram256_user_as_jid": msg("n,,n=Alice@LocalHost,r=" + CNONCE, mech=S256, mode=MODE_COMPUTED),
    "scram256_user_other_host": msg("n,,n=alice@example.org,r=" + CNONCE, mech=S256, mode=MODE_COMPUTED),
    "scram256_user_escaped": msg("n,,n=al=2Cice=3D,r=" + CNONCE, mech=S256, mode=MODE_COMPUTED),
    "scram256_user_bad_escape": msg("n,,n=al=2Xice,r=" + CNONCE, mech=S256, mode=MODE_COMPUTED),
    "scram256_authzid_self": msg("n,a=alice,n=alice,r=" + CNONCE, mech=S256, mode=MODE_COMPUTED),
    "scram256_authzid_jid": msg("n,a=alice@localhost,n=alice,r=" + CNONCE, mech=S256, mode=MODE_COMPUTED),
    "scram256_authzid_other": msg("n,a=bob,n=alice,r=" + CNONCE, mech=S256, mode=MODE_COMPUTED),
    "scram256_mandatory_ext": msg("n,,m=foo,n=alice,r=" + CNONCE, mech=S256, mode=MODE_COMPUTED),
    "scram256_extension": msg("n,,n=alice,r=" + CNONCE + ",x=ext", mech=S256, mode=MODE_COMPUTED),
    "scram256_no_initial_response": msg("n,,n=alice,r=" + CNONCE, mech=S256, present=0, mode=MODE_COMPUTED),
    "scram256_repeat_extra_step": msg("n,,n=alice,r=" + CNONCE, mech=S256, mode=MODE_COMPUTED, repeat=1, extra=1),
    "scram256_upper_host": msg("n,,n=alice,r=" + CNONCE, mech=S256, mode=MODE_COMPUTED, upper=1),
    "scram256_stop_after_first": msg("n,,n=alice,r=" + CNONCE, mech=S256, stop=1, repeat=1),
    "scram256_stop_no_initial_response": msg("", mech=S256, present=0, stop=1),
    # GS2 "y": the client supports binding and thinks the server does not (RFC 5802 §6)
    "scram256_y_no_binding": msg("y,,n=alice,r=" + CNONCE, mech=S256, mode=MODE_COMPUTED),
    "scram256_y_with_binding": msg("y,,n=alice,r=" + CNONCE, mech=S256, secure=1, cb=CB_EXPORTER,
                                   mode=MODE_COMPUTED),
    "scram1_y_with_binding": msg("y,,n=alice,r=" + CNONCE, mech=S1, secure=1, cb=CB_UNIQUE, mode=MODE_COMPUTED),
    # -PLUS
    "scram256plus_exporter": msg("p=tls-exporter,,n=alice,r=" + CNONCE, mech=S256P, secure=1, cb=CB_EXPORTER,
                                 mode=MODE_COMPUTED),
    "scram256plus_unique_added": msg("p=tls-unique,,n=alice,r=" + CNONCE, mech=S256P, secure=1,
                                     cb=CB_EXP_ADD_UNIQUE, mode=MODE_COMPUTED),
    "scram256plus_exporter_added": msg("p=tls-exporter,,n=alice,r=" + CNONCE, mech=S256P, secure=1,
                                       cb=CB_UNIQUE_ADD_EXP, mode=MODE_COMPUTED),
    "scram256plus_exporter_replaced": msg("p=tls-exporter,,n=alice,r=" + CNONCE, mech=S256P, secure=1,
                                          cb=CB_EXP_REPLACED, mode=MODE_COMPUTED),
    "scram1plus_unique": msg("p=tls-unique,,n=alice,r=" + CNONCE, mech=S1P, secure=1, cb=CB_UNIQUE,
                             mode=MODE_COMPUTED),
    "scram1plus_unique_authzid": msg("p=tls-unique,a=alice,n=alice,r=" + CNONCE, mech=S1P, secure=1,
                                     cb=CB_UNIQUE, mode=MODE_COMPUTED),
    "scram256plus_wrong_cb_data": msg("p=tls-exporter,,n=alice,r=" + CNONCE, mech=S256P, secure=1,
                                      cb=CB_EXPORTER, mode=MODE_COMPUTED, arg=F_CB),
    "scram256plus_unique_on_tls13": msg("p=tls-unique,,n=alice,r=" + CNONCE, mech=S256P, secure=1,
                                        cb=CB_EXPORTER, mode=MODE_COMPUTED),
    "scram256plus_unknown_cb_type": msg("p=tls-server-end-point,,n=alice,r=" + CNONCE, mech=S256P, secure=1,
                                        cb=CB_EXPORTER, mode=MODE_COMPUTED),
    # ("n,," under a -PLUS mechanism: tests/regress/sasl/plus_mech_accepts_gs2_flag_n)
    "scram1plus_y_flag": msg("y,,n=alice,r=" + CNONCE, mech=S1P, secure=1, cb=CB_UNIQUE, mode=MODE_COMPUTED),
    "scram256plus_no_initial_response": msg("p=tls-exporter,,n=alice,r=" + CNONCE, mech=S256P, present=0,
                                            secure=1, cb=CB_EXPORTER, mode=MODE_COMPUTED),
    "scram256_p_flag_plain_mech": msg("p=tls-exporter,,n=alice,r=" + CNONCE, mech=S256, secure=1,
                                      cb=CB_EXPORTER, mode=MODE_COMPUTED),
    "scram256plus_insecure": msg("p=tls-exporter,,n=alice,r=" + CNONCE, mech=S256P, cb=CB_EXPORTER),
    "scram256plus_no_cb_data": msg("p=tls-exporter,,n=alice,r=" + CNONCE, mech=S256P, secure=1, cb=CB_NO_DATA),
    "scram256plus_refused_cb_type": msg("p=tls-exporter,,n=alice,r=" + CNONCE, mech=S256P, secure=1,
                                        cb=CB_BAD_TYPE),
    # --- SCRAM with a literal client-final (mode 1/3) --------------------------------------
    "scram1_rfc5802_final": raw("n,,n=user,r=" + CNONCE,
                                "c=biws,r=" + SNONCE + ",p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=", mech=S1),
    "scram256_final": raw("n,,n=alice,r=" + CNONCE, "c=biws,r=" + SNONCE + ",p=" + PROOF32, mech=S256),
    "scram256_final_twice": raw("n,,n=alice,r=" + CNONCE, "c=biws,r=" + SNONCE + ",p=" + PROOF32, mech=S256,
                                mode=MODE_RAW_TWICE),
    "scram256_final_y": raw("y,,n=alice,r=" + CNONCE, "c=eSws,r=" + SNONCE + ",p=" + PROOF32, mech=S256,
                            secure=1, cb=CB_EXPORTER),
    "scram256plus_final_exporter": raw("p=tls-exporter,,n=alice,r=" + CNONCE,
                                       "c=" + cbind("p=tls-exporter,,", bytes(range(1, 33))) + ",r=" + SNONCE +
                                       ",p=" + PROOF32, mech=S256P, secure=1, cb=CB_EXPORTER),
    "scram1plus_final_unique": raw("p=tls-unique,,n=alice,r=" + CNONCE,
                                   "c=" + cbind("p=tls-unique,,", b"unique-12byt") + ",r=" + SNONCE + ",p=" +
                                   PROOF20, mech=S1P, secure=1, cb=CB_UNIQUE),
    "scram256_final_extension": raw("n,,n=alice,r=" + CNONCE, "c=biws,r=" + SNONCE + ",x=1,p=" + PROOF32,
                                    mech=S256),
    "scram256_final_no_proof": raw("n,,n=alice,r=" + CNONCE, "c=biws,r=" + SNONCE, mech=S256),
    "scram256_final_empty": raw("n,,n=alice,r=" + CNONCE, "", mech=S256),
    "scram256_final_after_empty_challenge": raw("n,,n=alice,r=" + CNONCE, "c=biws,r=" + SNONCE + ",p=" + PROOF32,
                                                mech=S256, present=0),
    "scram1_bad_flag": msg("x,,n=alice,r=" + CNONCE, mech=S1),
    "scram1_short": msg("n,,n=a", mech=S1),
    "scram1_nul": msg(b"n,,n=al\x00ice,r=" + CNONCE.encode(), mech=S1),
    "scram256_empty_present": msg("", mech=S256),
    "scram256_long_nonce": msg("n,,n=alice,r=" + "N" * 4000, mech=S256, mode=MODE_COMPUTED),
    "scram256_oversized": msg("n,,n=alice,r=" + "N" * 4090, mech=S256),
    # --- PLAIN ---------------------------------------------------------------------------
    "plain_alice": msg(b"\x00alice\x00" + ALICE_PW.encode(), mech=PLAIN, secure=1),
    "plain_alice_wrong": msg(b"\x00alice\x00alice-password", mech=PLAIN, secure=1),
    "plain_bob": msg(b"\x00bob\x00" + BOB_PW.encode(), mech=PLAIN, secure=1),
    "plain_bob_nbsp": msg(b"\x00bob\x00" + BOB_PW.replace(" ", "\u00a0").encode(), mech=PLAIN, secure=1),
    "plain_alice_soft_hyphen": msg(b"\x00alice\x00alice-Pa55\xc2\xadword", mech=PLAIN, secure=1),
    "plain_authzid_self": msg(b"alice\x00alice\x00" + ALICE_PW.encode(), mech=PLAIN, secure=1),
    "plain_authzid_jid": msg(b"alice@localhost\x00alice\x00" + ALICE_PW.encode(), mech=PLAIN, secure=1),
    "plain_authzid_other": msg(b"bob\x00alice\x00" + ALICE_PW.encode(), mech=PLAIN, secure=1),
    "plain_authcid_jid": msg(b"\x00Alice@LOCALHOST\x00" + ALICE_PW.encode(), mech=PLAIN, secure=1),
    "plain_other_host": msg(b"\x00alice@example.org\x00alice-at-example-org", mech=PLAIN, secure=1),
    "plain_unknown_user": msg(b"\x00mallory\x00" + ALICE_PW.encode(), mech=PLAIN, secure=1),
    "plain_insecure": msg(b"\x00alice\x00" + ALICE_PW.encode(), mech=PLAIN),
    "plain_no_initial_response": msg(b"\x00alice\x00" + ALICE_PW.encode(), mech=PLAIN, secure=1, present=0),
    "plain_repeat_extra_step": msg(b"\x00alice\x00" + ALICE_PW.encode(), mech=PLAIN, secure=1, repeat=1, extra=1),
    "plain_empty": msg(b"", mech=PLAIN, secure=1),
    "plain_one_nul": msg(b"\x00alice", mech=PLAIN, secure=1),
    "plain_three_nuls": msg(b"\x00alice\x00" + ALICE_PW.encode() + b"\x00", mech=PLAIN, secure=1),
    "plain_empty_password": msg(b"\x00alice\x00", mech=PLAIN, secure=1),
    "plain_bad_utf8": msg(b"\x00al\xffice\x00\xc0\x80", mech=PLAIN, secure=1),
    # --- EXTERNAL ------------------------------------------------------------------------
    "external_alice": msg("", mech=EXTERNAL, secure=1, cert=CERT_ALICE),
    "external_alice_authzid": msg("alice", mech=EXTERNAL, secure=1, cert=CERT_ALICE),
    "external_alice_authzid_jid": msg("alice@localhost", mech=EXTERNAL, secure=1, cert=CERT_ALICE),
    "external_alice_authzid_bob": msg("bob", mech=EXTERNAL, secure=1, cert=CERT_ALICE),
    "external_alice_no_initial_response": msg("", mech=EXTERNAL, secure=1, cert=CERT_ALICE, present=0),
    "external_alice_equals_sign": msg("=", mech=EXTERNAL, secure=1, cert=CERT_ALICE),
    "external_carol_no_account": msg("", mech=EXTERNAL, secure=1, cert=CERT_CAROL),
    "external_other_host_cert": msg("", mech=EXTERNAL, secure=1, cert=CERT_OTHER_HOST),
    "external_no_cert": msg("", mech=EXTERNAL, secure=1),
    "external_insecure": msg("", mech=EXTERNAL, cert=CERT_ALICE),
    "external_repeat_extra_step": msg("alice", mech=EXTERNAL, secure=1, cert=CERT_ALICE, repeat=1, extra=1),
    # --- the rest ------------------------------------------------------------------------
    "mech_out_of_range": msg("n,,n=alice,r=" + CNONCE, mech=MECH_OUT_OF_RANGE, secure=1),
    "garbage": bytes([0x1a, 0x04, 0x07]) + bytes(range(256)),
    "empty": b"",
}


def main():
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "corpus", "sasl")
    os.makedirs(out, exist_ok=True)
    for name in os.listdir(out):
        if name.startswith("seed_"):
            os.unlink(os.path.join(out, name))
    for name, data in sorted(SEEDS.items()):
        with open(os.path.join(out, "seed_" + name), "wb") as f:
            f.write(data)
    print("make_seeds_sasl: %d seeds in corpus/sasl/" % len(SEEDS), file=sys.stderr)


if __name__ == "__main__":
    main()
