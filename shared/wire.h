/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The ktstr wire format: framing shared by the report stream (guest -> host) and the
 * compiled job (host -> guest). See docs/protocol.md.
 *
 * A frame is a 20-byte header, the payload, and an 8-byte trailer:
 *   u32 magic "KTSR" | u16 version | u16 type | u32 seq | u32 len | u32 hdr_xxh32
 *   payload[len]
 *   u64 xxh64(header + payload)
 * All integers little-endian, written field by field.
 */
#ifndef KTSTR_WIRE_H
#define KTSTR_WIRE_H

#include <stddef.h>
#include <stdint.h>

#define KT_MAGIC	0x5253544bu	/* bytes 'K' 'T' 'S' 'R' */
#define KT_VERSION	1
#define KT_HDR_LEN	20
#define KT_TRAILER_LEN	8
#define KT_MAX_PAYLOAD	(1u << 20)
#define KT_MAX_FRAME	(KT_HDR_LEN + KT_MAX_PAYLOAD + KT_TRAILER_LEN)

/* Growable little-endian writer. Allocation failure is sticky: check ->oom once at the end. */
struct kt_wbuf {
	uint8_t *buf;
	size_t len, cap;
	int oom;
};

void kt_put_u8(struct kt_wbuf *w, uint8_t v);
void kt_put_u16(struct kt_wbuf *w, uint16_t v);
void kt_put_u32(struct kt_wbuf *w, uint32_t v);
void kt_put_u64(struct kt_wbuf *w, uint64_t v);
void kt_put_i64(struct kt_wbuf *w, int64_t v);
void kt_put_bytes(struct kt_wbuf *w, const void *p, size_t n);
/* u16 length, then the bytes (truncated at 65535). NULL is written as "". */
void kt_put_str(struct kt_wbuf *w, const char *s);
/* IEEE 754 bits as a u64: thresholds and ratios keep their exact value across the wire. */
void kt_put_f64(struct kt_wbuf *w, double v);
void kt_wbuf_free(struct kt_wbuf *w);

/*
 * Bounds-checked reader over untrusted bytes. Reading past the end sets ->err and yields
 * zeros; callers check ->err once after decoding a whole message.
 */
struct kt_rbuf {
	const uint8_t *p;
	size_t len, off;
	int err;
};

uint8_t kt_get_u8(struct kt_rbuf *r);
uint16_t kt_get_u16(struct kt_rbuf *r);
uint32_t kt_get_u32(struct kt_rbuf *r);
uint64_t kt_get_u64(struct kt_rbuf *r);
int64_t kt_get_i64(struct kt_rbuf *r);
/* Copies a string into dst (always NUL-terminated, truncated to dstsz - 1). */
void kt_get_str(struct kt_rbuf *r, char *dst, size_t dstsz);
double kt_get_f64(struct kt_rbuf *r);
/* Checks that n more items of at least min_size bytes each can be present. */
int kt_rbuf_can_hold(const struct kt_rbuf *r, uint64_t n, size_t min_size);

/* Appends one complete frame to w. Returns -1 if the payload is too large. */
int kt_frame_append(struct kt_wbuf *w, uint16_t type, uint32_t seq,
		    const void *payload, size_t len);

struct kt_frame {
	uint16_t version;
	uint16_t type;
	uint32_t seq;
	uint32_t len;
	const uint8_t *payload;	/* valid until the next kt_decoder call */
};

/* A reader over a frame's payload. */
void kt_rbuf_of_frame(struct kt_rbuf *r, const struct kt_frame *f);
/* Frames payload p (then freed) as one message; -1 on allocation failure or oversize. */
int kt_frame_finish(struct kt_wbuf *out, uint16_t type, uint32_t seq, struct kt_wbuf *p);

struct kt_decoder_stats {
	uint64_t frames;	/* good frames returned */
	uint64_t skipped_bytes;	/* garbage skipped while resynchronising */
	uint64_t bad_header;	/* magic found but header checksum or length wrong */
	uint64_t bad_checksum;	/* header fine, payload checksum wrong: frame dropped */
};

/* Streaming decoder: feed bytes in, pull frames out. Holds at most two maximal frames. */
struct kt_decoder {
	uint8_t *buf;
	size_t len, cap, head;
	struct kt_decoder_stats st;
};

int kt_decoder_init(struct kt_decoder *d);
void kt_decoder_free(struct kt_decoder *d);
/* Copies as much of data as fits; returns the number of bytes taken. */
size_t kt_decoder_feed(struct kt_decoder *d, const void *data, size_t n);

enum kt_dec_result {
	KT_DEC_MORE = 0,	/* need more bytes */
	KT_DEC_FRAME = 1,	/* *f holds a verified frame */
	KT_DEC_BAD = -1,	/* *f holds the header of a frame dropped for a bad checksum */
};
enum kt_dec_result kt_decoder_next(struct kt_decoder *d, struct kt_frame *f);
/* At end of stream: bytes left that never formed a frame are counted as skipped. */
size_t kt_decoder_finish(struct kt_decoder *d);

#endif
