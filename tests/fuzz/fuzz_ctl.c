// SPDX-License-Identifier: GPL-2.0
/*
 * The control protocol without the socket: the input is what a client
 * sends, framed by qmpread.c's hmfs_ctl_read() as a connection's thread
 * frames it (in recv()-sized chunks) and run through hmfs_qmp_dispatch(),
 * the socket's way in (QEMU's envelope, then ctl.c's command), against a
 * fresh 512 MiB machine.  A bad request is answered and the
 * connection reads on (no byte answered more than twice -- a token its
 * lookahead ended, then the byte itself -- so never the same bad input
 * for ever: usereye5 #16); a client dropped for a too large request
 * reconnects with the rest, from the next line.
 *
 * An input starting with a NUL byte has a header: its second byte is the
 * chunk size (1..255; 0: 4096), its third's bit 0 "inflate": the rest's
 * first line once, then its other lines repeated past HMFS_CTL_REQ_MAX,
 * so that a small input reaches the request-size cap (#16.11); the
 * third's bit 1 "negotiate": each connection begins before
 * qmp_capabilities, as a client's does (without it, after: most inputs
 * are commands).
 *
 * Checked: every request gets a reply with "return" or "error"; the
 * engine's invariants hold after each, and every device lies in the device
 * memory region (#16.7); the bytes buffered for one request
 * never exceed the cap by more than a chunk, and no request longer than
 * that is run; framing does not depend on chunking: the same input in one
 * piece gives the same requests and the same refusals, in the same order
 * (QEMU's lexer reads a byte at a time).  No state file (the state
 * harness covers that).
 */
#include <json-c/json.h>

#include "fuzz_hmfs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * The region case (#16.7): whatever device_add was asked, every device
 * lies in QEMU's device memory region — above boot RAM, below maxmem —
 * and no two overlap; a virtio-mem device with nothing plugged included.
 */
static void check_regions(struct hmfs_ctx *ctx, const char *what)
{
	const struct hotmem_config *cfg = hotmem_get_config(ctx->hm);
	uint64_t top = 0;

	for (int i = 0; i < cfg->nr_boot_ranges; i++)
		if (cfg->boot[i].end > top)
			top = cfg->boot[i].end;
	for (const struct hmfs_dev *d = ctx->devs; d; d = d->next) {
		if (d->addr < top || d->addr > cfg->maxmem || d->size > cfg->maxmem - d->addr) {
			fprintf(stderr, "after %s: %s [%#llx+%#llx] outside [%#llx, %#llx)\n", what,
				d->id, (unsigned long long)d->addr, (unsigned long long)d->size,
				(unsigned long long)top, (unsigned long long)cfg->maxmem);
			abort();
		}
		for (const struct hmfs_dev *o = d->next; o; o = o->next) {
			if (d->addr < o->addr + o->size && o->addr < d->addr + d->size) {
				fprintf(stderr, "after %s: %s and %s overlap\n", what, d->id, o->id);
				abort();
			}
		}
	}
}

/*
 * An offline of a block whose pages never move loops until its "signal"
 * (offline_pages()'s signal backoff): over the socket the client hanging
 * up or hotmemfs stopping is one, here there is no client and no stop, so
 * a block-set-state's "timeout" is held to 1-200 ms -- an input that pins
 * pages and offlines their block would otherwise hang the harness
 * (libFuzzer's -timeout would call it a crash).  Absent, not a number,
 * 0 ("no timeout", ctl_signal_init()) or larger: 200.
 */
#define FUZZ_OFFLINE_MS 200

static void bound_offline(json_object *req)
{
	json_object *ex, *args, *t;

	if (!json_object_object_get_ex(req, "execute", &ex) ||
	    !json_object_is_type(ex, json_type_string) ||
	    strcmp(json_object_get_string(ex), "block-set-state") ||
	    !json_object_object_get_ex(req, "arguments", &args) ||
	    !json_object_is_type(args, json_type_object))
		return;
	if (json_object_object_get_ex(args, "timeout", &t) && json_object_is_type(t, json_type_int) &&
	    json_object_get_int64(t) > 0 && json_object_get_int64(t) <= FUZZ_OFFLINE_MS)
		return;
	json_object_object_add(args, "timeout", json_object_new_int(FUZZ_OFFLINE_MS));
}

#define MAX_REQUESTS 64

struct framed {
	char *req[MAX_REQUESTS]; /* requests as parsed, printed; a refusal as "error: " and its words */
	int nr;
	bool dropped; /* a client was dropped (too large): chunking may matter */
};

/* a refusal's words, as the request list holds them */
static char *refused(const char *desc)
{
	char *s;

	if (asprintf(&s, "error: %s", desc) < 0)
		abort();
	return s;
}

static void framed_free(struct framed *f)
{
	for (int i = 0; i < f->nr; i++)
		free(f->req[i]);
}

/*
 * Frame @text in @chunk-byte pieces; run each request on @ctx if given,
 * in a session that begins negotiating (@negotiate) or in command mode.
 */
static void frame(struct hmfs_ctx *ctx, const char *text, size_t len, size_t chunk,
		  bool negotiate, struct framed *out)
{
	struct hmfs_qmp session = { .command_mode = !negotiate };
	struct hmfs_ctl_reader r;
	size_t pos = 0, begin = 0, answered_at = (size_t)-1;
	int answers = 0;

	memset(out, 0, sizeof(*out));
	if (hmfs_ctl_reader_init(&r))
		abort();
	while (pos < len && out->nr < MAX_REQUESTS) {
		size_t n = len - pos < chunk ? len - pos : chunk, off = 0;
		enum hmfs_ctl_read st = HMFS_CTL_MORE;

		while (out->nr < MAX_REQUESTS) {
			struct hmfs_ctl_follow follow;
			json_object *req, *reply, *v;

			if (!r.pending)
				begin = pos + off;
			st = hmfs_ctl_read(&r, text + pos, n, &off, &req);
			if (st == HMFS_CTL_BAD_JSON || st == HMFS_CTL_REQUEST) {
				/* read on past it: usereye5 #16's byte failed for ever */
				answers = answered_at == pos + off ? answers + 1 : 1;
				answered_at = pos + off;
				if (answers > 2) {
					fprintf(stderr, "byte %zu answered %d times\n", answered_at,
						answers);
					abort();
				}
			}
			if (st == HMFS_CTL_BAD_JSON) {
				out->req[out->nr++] = refused(r.bad);
				continue;
			}
			if (r.pending > HMFS_CTL_REQ_MAX + chunk) {
				fprintf(stderr, "%zu bytes buffered for one request\n", r.pending);
				abort();
			}
			if (st != HMFS_CTL_REQUEST)
				break;
			if (pos + off - begin > HMFS_CTL_REQ_MAX + 2 * chunk) {
				fprintf(stderr, "a request of %zu bytes was run\n", pos + off - begin);
				abort();
			}
			out->req[out->nr++] =
				strdup(json_object_to_json_string_ext(req, JSON_C_TO_STRING_PLAIN));
			if (ctx) {
				bound_offline(req);
				reply = hmfs_qmp_dispatch(ctx, &session, req, &follow, NULL);
				if (!reply || !(json_object_object_get_ex(reply, "return", &v) ||
						json_object_object_get_ex(reply, "error", &v))) {
					fprintf(stderr, "no reply for %s\n", out->req[out->nr - 1]);
					abort();
				}
				/* what send_json() would write */
				(void)json_object_to_json_string_ext(reply, JSON_C_TO_STRING_PLAIN);
				json_object_put(reply);
				hotmem_fail_nth_alloc(ctx->hm, 0);
				fuzz_ctx_check(ctx, out->req[out->nr - 1]);
				check_regions(ctx, out->req[out->nr - 1]);
			}
			json_object_put(req);
		}
		pos += off;
		if (st == HMFS_CTL_TOO_LARGE) {
			/* dropped; the client reconnects with its next line */
			const char *nl = memchr(text + pos, '\n', len - pos);

			out->dropped = true;
			pos = nl ? (size_t)(nl - text) + 1 : len;
			session.command_mode = !negotiate;
			hmfs_ctl_reader_free(&r);
			if (hmfs_ctl_reader_init(&r))
				abort();
		}
	}
	hmfs_ctl_reader_free(&r);
}

/*
 * @body's first line once (without its newline), then the rest repeated
 * until the whole passes the request cap by a little: an unterminated
 * string or a run of blanks inside a request, or many requests.
 */
static char *inflate(const uint8_t *body, size_t size, size_t *len)
{
	const uint8_t *nl = memchr(body, '\n', size);
	size_t head = nl ? (size_t)(nl - body) : 0, want = HMFS_CTL_REQ_MAX + 8192;
	const uint8_t *fill = nl ? nl + 1 : body;
	size_t nfill = size - (size_t)(fill - body);
	char *text = malloc(want);

	if (!text)
		abort();
	memcpy(text, body, head);
	*len = head;
	if (!nfill) {
		fill = (const uint8_t *)" ";
		nfill = 1;
	}
	for (; *len < want; *len += nfill)
		memcpy(text + *len, fill, nfill < want - *len ? nfill : want - *len);
	*len = want;
	return text;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct framed chunked, whole;
	struct hmfs_ctx *ctx;
	size_t chunk = 4096, len;
	bool negotiate = false;
	char *text;

	if (size > 16384)
		return 0;
	if (size >= 3 && data[0] == 0) {
		chunk = data[1] ? data[1] : 4096;
		negotiate = data[2] & 2;
		if ((data[2] & 1) && size > 3) {
			text = inflate(data + 3, size - 3, &len);
			goto run;
		}
		data += 3;
		size -= 3;
	}
	text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	len = size;
run:
	ctx = fuzz_ctx_new("qemu-512m");
	frame(ctx, text, len, chunk, negotiate, &chunked);
	/* the same bytes in one piece: the same requests */
	frame(NULL, text, len, len ? len : 1, negotiate, &whole);
	if (!chunked.dropped && !whole.dropped) {
		for (int i = 0; i < chunked.nr || i < whole.nr; i++) {
			if (i >= chunked.nr || i >= whole.nr || strcmp(chunked.req[i], whole.req[i])) {
				fprintf(stderr, "request %d framed differently in %zu-byte chunks\n", i,
					chunk);
				abort();
			}
		}
	}
	framed_free(&chunked);
	framed_free(&whole);
	fuzz_ctx_free(ctx);
	free(text);
	return 0;
}
