/*
 * dialog.h — the client side of an XMPP c2s login and of the messages after it, one server
 * element at a time: STARTTLS (RFC 3920 §5), SASL SCRAM (§6, RFC 5802/7677), resource binding
 * (§7), then <message/> stanzas whose body carries the monotonic time they were sent.
 *
 * Each function queues what the client sends in c->out and moves c->state; the run flushes.
 * Whatever goes wrong is reported with xl_run_fail, which closes the client: after a call,
 * the caller must look at c->state before touching c again.
 */
#ifndef XL_DIALOG_H
#define XL_DIALOG_H

#include <stdint.h>

#include "run.h"

/* TCP is up: the stream header. -> XL_WAIT_TLS_FEATURES */
void xl_dialog_begin(xl_run *r, xl_client *c);
/* TLS is up: the header again. -> XL_WAIT_SASL_FEATURES */
void xl_dialog_tls_up(xl_run *r, xl_client *c);
/* Every complete unit in c->in, which is consumed. <proceed/> starts TLS and leaves the
 * client in XL_TLS_HANDSHAKE with the rest of the input discarded (RFC 3920 §5.2 step 5). */
void xl_dialog_input(xl_run *r, xl_client *c);
/* One message to c's partner, stamped with now. 0, or -1 when the output buffer is full. */
int xl_dialog_message(xl_run *r, xl_client *c, int64_t now_ns);
/* </stream:stream>. -> XL_CLOSING, until the server's EOF (the run's read loop). */
void xl_dialog_end(xl_run *r, xl_client *c);

#endif
