// SPDX-License-Identifier: GPL-2.0-only
#include "wire.h"
#include "xxh.h"

#include <stdlib.h>
#include <string.h>

static uint8_t *wbuf_grow(struct kt_wbuf *w, size_t n)
{
	if (w->oom)
		return NULL;
	if (w->len + n > w->cap) {
		size_t cap = w->cap ? w->cap : 256;
		uint8_t *nb;

		while (cap < w->len + n)
			cap *= 2;
		nb = realloc(w->buf, cap);
		if (!nb) {
			w->oom = 1;
			return NULL;
		}
		w->buf = nb;
		w->cap = cap;
	}
	w->len += n;
	return w->buf + w->len - n;
}

static void put_le(struct kt_wbuf *w, uint64_t v, int bytes)
{
	uint8_t *p = wbuf_grow(w, bytes);

	for (int i = 0; p && i < bytes; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

void kt_put_u8(struct kt_wbuf *w, uint8_t v) { put_le(w, v, 1); }
void kt_put_u16(struct kt_wbuf *w, uint16_t v) { put_le(w, v, 2); }
void kt_put_u32(struct kt_wbuf *w, uint32_t v) { put_le(w, v, 4); }
void kt_put_u64(struct kt_wbuf *w, uint64_t v) { put_le(w, v, 8); }
void kt_put_i64(struct kt_wbuf *w, int64_t v) { put_le(w, (uint64_t)v, 8); }

void kt_put_bytes(struct kt_wbuf *w, const void *src, size_t n)
{
	uint8_t *p = wbuf_grow(w, n);

	if (p && n)
		memcpy(p, src, n);
}

void kt_put_str(struct kt_wbuf *w, const char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (n > 0xffff)
		n = 0xffff;
	kt_put_u16(w, (uint16_t)n);
	kt_put_bytes(w, s, n);
}

void kt_put_f64(struct kt_wbuf *w, double v)
{
	uint64_t bits;

	memcpy(&bits, &v, sizeof(bits));
	kt_put_u64(w, bits);
}

void kt_wbuf_free(struct kt_wbuf *w)
{
	free(w->buf);
	memset(w, 0, sizeof(*w));
}

static uint64_t get_le(struct kt_rbuf *r, int bytes)
{
	uint64_t v = 0;

	if (r->err || r->len - r->off < (size_t)bytes) {
		r->err = 1;
		return 0;
	}
	for (int i = 0; i < bytes; i++)
		v |= (uint64_t)r->p[r->off + i] << (8 * i);
	r->off += bytes;
	return v;
}

uint8_t kt_get_u8(struct kt_rbuf *r) { return (uint8_t)get_le(r, 1); }
uint16_t kt_get_u16(struct kt_rbuf *r) { return (uint16_t)get_le(r, 2); }
uint32_t kt_get_u32(struct kt_rbuf *r) { return (uint32_t)get_le(r, 4); }
uint64_t kt_get_u64(struct kt_rbuf *r) { return get_le(r, 8); }
int64_t kt_get_i64(struct kt_rbuf *r) { return (int64_t)get_le(r, 8); }

double kt_get_f64(struct kt_rbuf *r)
{
	uint64_t bits = kt_get_u64(r);
	double v;

	memcpy(&v, &bits, sizeof(v));
	return v;
}

void kt_rbuf_of_frame(struct kt_rbuf *r, const struct kt_frame *f)
{
	r->p = f->payload;
	r->len = f->payload ? f->len : 0;
	r->off = 0;
	r->err = 0;
}

int kt_frame_finish(struct kt_wbuf *out, uint16_t type, uint32_t seq, struct kt_wbuf *p)
{
	int ret = p->oom ? -1 : kt_frame_append(out, type, seq, p->buf, p->len);

	kt_wbuf_free(p);
	return ret || out->oom ? -1 : 0;
}

void kt_get_str(struct kt_rbuf *r, char *dst, size_t dstsz)
{
	size_t n = kt_get_u16(r), keep;

	if (dstsz)
		dst[0] = '\0';
	if (r->err || r->len - r->off < n) {
		r->err = 1;
		return;
	}
	if (!dstsz) {
		r->off += n;
		return;
	}
	keep = n < dstsz - 1 ? n : dstsz - 1;
	memcpy(dst, r->p + r->off, keep);
	dst[keep] = '\0';
	/* An embedded NUL would silently shorten the text; make it visible instead. */
	for (size_t i = 0; i < keep; i++)
		if (dst[i] == '\0')
			dst[i] = '?';
	r->off += n;
}

int kt_rbuf_can_hold(const struct kt_rbuf *r, uint64_t n, size_t min_size)
{
	if (r->err)
		return 0;
	if (min_size == 0)
		min_size = 1;
	return n <= (r->len - r->off) / min_size;
}

static void put_le_at(uint8_t *p, uint64_t v, int bytes)
{
	for (int i = 0; i < bytes; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t le_at(const uint8_t *p, int bytes)
{
	uint64_t v = 0;

	for (int i = 0; i < bytes; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

int kt_frame_append(struct kt_wbuf *w, uint16_t type, uint32_t seq,
		    const void *payload, size_t len)
{
	uint8_t *h;

	if (len > KT_MAX_PAYLOAD)
		return -1;
	h = wbuf_grow(w, KT_HDR_LEN + len + KT_TRAILER_LEN);
	if (!h)
		return -1;
	put_le_at(h, KT_MAGIC, 4);
	put_le_at(h + 4, KT_VERSION, 2);
	put_le_at(h + 6, type, 2);
	put_le_at(h + 8, seq, 4);
	put_le_at(h + 12, len, 4);
	put_le_at(h + 16, XXH32(h, 16, 0), 4);
	if (len)
		memcpy(h + KT_HDR_LEN, payload, len);
	put_le_at(h + KT_HDR_LEN + len, XXH64(h, KT_HDR_LEN + len, 0), 8);
	return 0;
}

int kt_decoder_init(struct kt_decoder *d)
{
	memset(d, 0, sizeof(*d));
	d->cap = 2 * (size_t)KT_MAX_FRAME;
	d->buf = malloc(d->cap);
	return d->buf ? 0 : -1;
}

void kt_decoder_free(struct kt_decoder *d)
{
	free(d->buf);
	d->buf = NULL;
}

size_t kt_decoder_feed(struct kt_decoder *d, const void *data, size_t n)
{
	size_t room;

	if (d->head) {	/* compact only when feeding, so frame payloads stay valid until then */
		memmove(d->buf, d->buf + d->head, d->len - d->head);
		d->len -= d->head;
		d->head = 0;
	}
	room = d->cap - d->len;
	if (n > room)
		n = room;
	memcpy(d->buf + d->len, data, n);
	d->len += n;
	return n;
}

static void skip(struct kt_decoder *d, size_t n)
{
	d->head += n;
	d->st.skipped_bytes += n;
}

enum kt_dec_result kt_decoder_next(struct kt_decoder *d, struct kt_frame *f)
{
	static const uint8_t magic[4] = { 'K', 'T', 'S', 'R' };

	for (;;) {
		const uint8_t *p = d->buf + d->head;
		size_t avail = d->len - d->head, total;
		uint32_t len;

		/* Resynchronise: drop everything before the next magic. */
		if (avail >= 4 && memcmp(p, magic, 4) != 0) {
			const uint8_t *m = memmem(p + 1, avail - 1, magic, 4);

			skip(d, m ? (size_t)(m - p) : avail - 3);
			continue;
		}
		if (avail < KT_HDR_LEN)
			return KT_DEC_MORE;
		len = (uint32_t)le_at(p + 12, 4);
		if ((uint32_t)le_at(p + 16, 4) != XXH32(p, 16, 0) || len > KT_MAX_PAYLOAD) {
			d->st.bad_header++;
			skip(d, 1);
			continue;
		}
		total = KT_HDR_LEN + (size_t)len + KT_TRAILER_LEN;
		if (avail < total)
			return KT_DEC_MORE;
		f->version = (uint16_t)le_at(p + 4, 2);
		f->type = (uint16_t)le_at(p + 6, 2);
		f->seq = (uint32_t)le_at(p + 8, 4);
		f->len = len;
		f->payload = p + KT_HDR_LEN;
		d->head += total;
		if (le_at(p + KT_HDR_LEN + len, 8) != XXH64(p, KT_HDR_LEN + len, 0)) {
			d->st.bad_checksum++;
			f->payload = NULL;
			f->len = 0;
			return KT_DEC_BAD;
		}
		d->st.frames++;
		return KT_DEC_FRAME;
	}
}

size_t kt_decoder_finish(struct kt_decoder *d)
{
	size_t left = d->len - d->head;

	d->st.skipped_bytes += left;
	d->head = d->len = 0;
	return left;
}
