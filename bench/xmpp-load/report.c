/* report.c — the configuration and the results of a run (see report.h). */
#include <string.h>

#include "report.h"

static const char *mode_name(xl_mode m)
{
    return m == XL_MODE_LOGIN ? "login" : m == XL_MODE_MSG ? "msg" : "idle";
}

static const char *const err_name[XL_ERR_KINDS] = { "connect", "tls", "stream", "auth", "stanza", "closed",
                                                    "timeout", "protocol" };

void xl_report_config(FILE *f, const xl_config *c)
{
    fprintf(f, "xmpp-load: configuration\n");
    fprintf(f, "  mode %s, server %s:%u (pid %d), domain %s, CA %s\n", mode_name(c->mode), c->host, c->port,
            c->server_pid, c->domain, c->ca_file);
    fprintf(f, "  accounts %s1..%s%u, one password; %s; TLS 1.3 only, certificate verified, no resumption\n",
            c->user_prefix, c->user_prefix, c->clients, xl_scram_mech_name(c->hash));
    fprintf(f, "  clients %u, logins in progress at most %u, source addresses 127.0.0.1 + 0..%u, TCP_NODELAY\n",
            c->mode == XL_MODE_LOGIN ? c->concurrency : c->clients, c->concurrency, c->sources - 1);
    if (c->mode == XL_MODE_MSG) {
        if (c->rate > 0)
            fprintf(f, "  messages: %u pairs, %.0f msg/s in total (fixed rate), warm-up %.1f s, measured %.1f s\n",
                    c->clients / 2, c->rate, c->warmup, c->duration);
        else
            fprintf(f, "  messages: %u pairs, flat out with %u in flight per sender, warm-up %.1f s, measured %.1f s\n",
                    c->clients / 2, c->window, c->warmup, c->duration);
    } else if (c->mode == XL_MODE_LOGIN) {
        fprintf(f, "  login churn: %u slots over %u accounts, warm-up round, then %.1f s measured\n", c->concurrency,
                c->clients, c->duration);
    } else {
        fprintf(f, "  idle: %u warm-up logins closed before the baseline, then %u sessions held %.1f s\n",
                c->warm_logins, c->clients, c->duration);
    }
    fprintf(f, "  login timeout %.1f s, settle %.1f s before RSS readings, buffers %zu bytes each way\n", c->timeout,
            c->settle, c->bufsize);
    fflush(f);
}

static double ms(uint64_t us)
{
    return (double)us / 1000.0;
}

static long phase_rss(const xl_run *r, const char *name, int max)
{
    uint32_t i;

    for (i = 0; i < r->phases; i++)
        if (strcmp(r->phase[i].name, name) == 0)
            return max ? r->phase[i].rss_max_kib : r->phase[i].rss_kib;
    return -1;
}

void xl_report_results(FILE *f, const xl_run *r)
{
    const xl_config *c = r->cfg;
    double secs = r->counted_seconds > 0 ? r->counted_seconds : 1;
    uint64_t errors = 0, computed, reused, lost;
    long base, idle;
    double per_session = -1;
    uint32_t i;

    for (i = 0; i < XL_ERR_KINDS; i++)
        errors += r->err[i];
    xl_scram_cache_counts(r->scram, &computed, &reused);
    lost = r->sent > r->received + r->bounced ? r->sent - r->received - r->bounced : 0;

    fprintf(f, "xmpp-load: results%s%s\n", c->label[0] ? " for " : "", c->label);
    fprintf(f, "  tls           %s\n", r->tls_desc[0] ? r->tls_desc : "(no handshake finished)");
    if (c->mode == XL_MODE_LOGIN)
        fprintf(f, "  logins        %llu in %.1f s = %.1f logins/s; connect-to-bound p50 %.2f ms, p99 %.2f ms, max %.2f ms\n",
                (unsigned long long)r->logins_counted, secs, (double)r->logins_counted / secs,
                ms(xl_hist_quantile(&r->login_lat, 0.5)), ms(xl_hist_quantile(&r->login_lat, 0.99)),
                ms(r->login_lat.max_us));
    else
        fprintf(f, "  sessions      %u bound of %u; login ramp %.1f logins/s\n",
                r->sessions, c->clients, r->ramp_logins_per_s);
    if (c->mode == XL_MODE_MSG) {
        fprintf(f, "  messages      delivered %llu in %.1f s = %.1f msg/s (sent %.1f/s); latency p50 %.3f ms, p99 %.3f ms, max %.3f ms\n",
                (unsigned long long)r->received_counted, secs, (double)r->received_counted / secs,
                (double)r->sent_counted / secs, ms(xl_hist_quantile(&r->msg_lat, 0.5)),
                ms(xl_hist_quantile(&r->msg_lat, 0.99)), ms(r->msg_lat.max_us));
        fprintf(f, "  whole run     sent %llu, delivered %llu, bounced %llu, lost %llu\n", (unsigned long long)r->sent,
                (unsigned long long)r->received, (unsigned long long)r->bounced, (unsigned long long)lost);
    }
    fprintf(f, "  errors        %llu:", (unsigned long long)errors);
    for (i = 0; i < XL_ERR_KINDS; i++)
        fprintf(f, " %s %llu%s", err_name[i], (unsigned long long)r->err[i], i + 1 < XL_ERR_KINDS ? "," : "\n");
    for (i = 0; i < XL_DETAILS_MAX && r->detail[i].n > 0; i++)
        fprintf(f, "                %s: \"%s\" x%llu\n", err_name[r->detail[i].kind], r->detail[i].text,
                (unsigned long long)r->detail[i].n);
    fprintf(f, "  server RSS    ");
    if (c->server_pid <= 0)
        fprintf(f, "(no --server-pid)\n");
    for (i = 0; c->server_pid > 0 && i < r->phases; i++)
        fprintf(f, "%s%s %ld KiB (max %ld) after %.1f s\n", i > 0 ? "                " : "", r->phase[i].name,
                r->phase[i].rss_kib, r->phase[i].rss_max_kib, r->phase[i].seconds);
    base = phase_rss(r, c->warm_logins > 0 ? "base (warm-up closed)" : "start", 0);
    idle = phase_rss(r, "idle, authenticated", 0);
    if (c->mode == XL_MODE_IDLE && base >= 0 && idle >= 0 && r->sessions > 0) {
        per_session = (double)(idle - base) * 1024.0 / (double)r->sessions;
        fprintf(f, "  per session   %.0f bytes = (RSS idle %ld KiB - RSS base %ld KiB) / %u sessions\n", per_session,
                idle, base, r->sessions);
    }
    fprintf(f, "  generator     %.0f%% of one core in the measured window; SCRAM cache %llu PBKDF2 runs, %llu reused\n",
            100.0 * r->cpu_counted / secs, (unsigned long long)computed, (unsigned long long)reused);
    if (c->mode != XL_MODE_IDLE && r->server_cpu_counted >= 0) {
        uint64_t ops = c->mode == XL_MODE_LOGIN ? r->logins_counted : r->received_counted;

        fprintf(f, "  server CPU    %.0f%% of one core in the measured window", 100.0 * r->server_cpu_counted / secs);
        if (ops > 0)
            fprintf(f, ": %.1f µs per %s", 1e6 * r->server_cpu_counted / (double)ops,
                    c->mode == XL_MODE_LOGIN ? "login" : "message");
        fprintf(f, "\n");
    }

    fprintf(f, "RESULT label=%s mode=%s clients=%u sessions=%u errors=%llu", c->label[0] ? c->label : "-",
            mode_name(c->mode), c->clients, r->sessions,
            (unsigned long long)errors);
    for (i = 0; i < XL_ERR_KINDS; i++)
        fprintf(f, " err_%s=%llu", err_name[i], (unsigned long long)r->err[i]);
    if (c->mode == XL_MODE_LOGIN)
        fprintf(f, " logins_per_s=%.1f login_p50_ms=%.2f login_p99_ms=%.2f login_max_ms=%.2f",
                (double)r->logins_counted / secs, ms(xl_hist_quantile(&r->login_lat, 0.5)),
                ms(xl_hist_quantile(&r->login_lat, 0.99)), ms(r->login_lat.max_us));
    else
        fprintf(f, " ramp_logins_per_s=%.1f", r->ramp_logins_per_s);
    if (c->mode == XL_MODE_MSG)
        fprintf(f, " msgs_per_s=%.1f sent_per_s=%.1f lat_p50_ms=%.3f lat_p99_ms=%.3f lat_max_ms=%.3f lost=%llu bounced=%llu",
                (double)r->received_counted / secs, (double)r->sent_counted / secs,
                ms(xl_hist_quantile(&r->msg_lat, 0.5)), ms(xl_hist_quantile(&r->msg_lat, 0.99)), ms(r->msg_lat.max_us),
                (unsigned long long)lost, (unsigned long long)r->bounced);
    fprintf(f, " rss_start_kib=%ld rss_base_kib=%ld rss_idle_kib=%ld rss_load_max_kib=%ld rss_closed_kib=%ld",
            phase_rss(r, "start", 0), base, idle, phase_rss(r, "messages", 1), phase_rss(r, "closed", 0));
    if (per_session >= 0)
        fprintf(f, " bytes_per_session=%.0f", per_session);
    if (c->mode != XL_MODE_IDLE && r->server_cpu_counted >= 0) {
        uint64_t ops = c->mode == XL_MODE_LOGIN ? r->logins_counted : r->received_counted;

        fprintf(f, " server_cpu_pct=%.0f", 100.0 * r->server_cpu_counted / secs);
        if (ops > 0)
            fprintf(f, " server_us_per_op=%.2f", 1e6 * r->server_cpu_counted / (double)ops);
    }
    fprintf(f, " gen_cpu_pct=%.0f\n", 100.0 * r->cpu_counted / secs);
    fflush(f);
}
