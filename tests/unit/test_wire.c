// SPDX-License-Identifier: GPL-2.0-only
/* Frame format: round trip, truncation, corruption, resynchronisation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <cmocka.h>

#include "../../shared/msg.h"

static void make_stream(struct kt_wbuf *w, int n)
{
	for (int i = 0; i < n; i++) {
		struct kt_stage s = { .t_ns = 1000u * (unsigned)i };

		snprintf(s.name, sizeof(s.name), "stage%d", i);
		assert_int_equal(kt_enc_stage(w, (uint32_t)i, &s), 0);
	}
}

/* Feeds all of buf, collecting decoded stage numbers; returns the count. */
static int decode_all(const uint8_t *buf, size_t len, int *seqs, int max, struct kt_decoder_stats *st)
{
	struct kt_decoder d;
	struct kt_frame f;
	int n = 0;

	assert_int_equal(kt_decoder_init(&d), 0);
	while (len) {
		size_t k = kt_decoder_feed(&d, buf, len);
		enum kt_dec_result r;

		buf += k;
		len -= k;
		while ((r = kt_decoder_next(&d, &f)) != KT_DEC_MORE) {
			struct kt_stage s;

			if (r != KT_DEC_FRAME)
				continue;
			assert_int_equal(f.type, KT_MSG_STAGE);
			assert_int_equal(kt_dec_stage(&f, &s), 0);
			assert_true(n < max);
			seqs[n++] = (int)f.seq;
		}
	}
	kt_decoder_finish(&d);
	*st = d.st;
	kt_decoder_free(&d);
	return n;
}

static void test_roundtrip_hello(void **state)
{
	struct kt_hello h = { .proto = KT_PROTO, .ncpus = 8, .mem_kib = 524288 }, got;
	struct kt_wbuf w = { 0 };
	struct kt_decoder d;
	struct kt_frame f;

	(void)state;
	strcpy(h.release, "6.12.117+deb12-cloud-amd64");
	strcpy(h.machine, "x86_64");
	assert_int_equal(kt_enc_hello(&w, 7, &h), 0);
	assert_int_equal(w.len, KT_HDR_LEN + KT_TRAILER_LEN + 2 + 4 + 8 + 2 + 26 + 2 + 6);
	/* Fixed little-endian layout: the magic reads "KTSR", the type is at offset 6. */
	assert_memory_equal(w.buf, "KTSR", 4);
	assert_int_equal(w.buf[6], KT_MSG_HELLO);
	assert_int_equal(w.buf[8], 7);

	assert_int_equal(kt_decoder_init(&d), 0);
	assert_int_equal(kt_decoder_feed(&d, w.buf, w.len), w.len);
	assert_int_equal(kt_decoder_next(&d, &f), KT_DEC_FRAME);
	assert_int_equal(f.type, KT_MSG_HELLO);
	assert_int_equal(f.seq, 7);
	assert_int_equal(kt_dec_hello(&f, &got), 0);
	assert_int_equal(got.ncpus, 8);
	assert_int_equal(got.mem_kib, 524288);
	assert_string_equal(got.release, h.release);
	assert_string_equal(got.machine, "x86_64");
	assert_int_equal(kt_decoder_next(&d, &f), KT_DEC_MORE);
	kt_decoder_free(&d);
	kt_wbuf_free(&w);
}

static void test_roundtrip_all_types(void **state)
{
	struct kt_wbuf w = { 0 };
	struct kt_exit e = { .status = -5 }, e2;
	struct kt_error er = { .err = 28 }, er2;
	struct kt_text t, t2;
	struct kt_decoder d;
	struct kt_frame f;

	(void)state;
	strcpy(e.reason, "because");
	strcpy(er.stage, "cgroups");
	strcpy(er.call, "mkdir");
	strcpy(er.path, "/sys/fs/cgroup/ktstr/a");
	strcpy(t.text, "WARNING: something");
	assert_int_equal(kt_enc_exit(&w, 0, &e), 0);
	assert_int_equal(kt_enc_error(&w, 1, &er), 0);
	assert_int_equal(kt_enc_text(&w, KT_MSG_KMSG, 2, &t), 0);
	assert_int_equal(kt_decoder_init(&d), 0);
	kt_decoder_feed(&d, w.buf, w.len);
	assert_int_equal(kt_decoder_next(&d, &f), KT_DEC_FRAME);
	assert_int_equal(kt_dec_exit(&f, &e2), 0);
	assert_int_equal(e2.status, -5);
	assert_string_equal(e2.reason, "because");
	assert_int_equal(kt_decoder_next(&d, &f), KT_DEC_FRAME);
	assert_int_equal(kt_dec_error(&f, &er2), 0);
	assert_int_equal(er2.err, 28);
	assert_string_equal(er2.path, "/sys/fs/cgroup/ktstr/a");
	assert_int_equal(kt_decoder_next(&d, &f), KT_DEC_FRAME);
	assert_int_equal(f.type, KT_MSG_KMSG);
	assert_int_equal(kt_dec_text(&f, &t2), 0);
	assert_string_equal(t2.text, t.text);
	kt_decoder_free(&d);
	kt_wbuf_free(&w);
}

static void test_byte_at_a_time(void **state)
{
	struct kt_wbuf w = { 0 };
	struct kt_decoder d;
	struct kt_frame f;
	int got = 0;

	(void)state;
	make_stream(&w, 5);
	assert_int_equal(kt_decoder_init(&d), 0);
	for (size_t i = 0; i < w.len; i++) {
		assert_int_equal(kt_decoder_feed(&d, w.buf + i, 1), 1);
		while (kt_decoder_next(&d, &f) == KT_DEC_FRAME)
			assert_int_equal(f.seq, (uint32_t)got++);
	}
	assert_int_equal(got, 5);
	assert_int_equal(d.st.skipped_bytes, 0);
	kt_decoder_free(&d);
	kt_wbuf_free(&w);
}

static void test_truncated(void **state)
{
	struct kt_wbuf w = { 0 };
	struct kt_decoder_stats st;
	int seqs[8];

	(void)state;
	make_stream(&w, 3);
	/* Cut the last frame short: two frames decode, the rest is counted, nothing crashes. */
	assert_int_equal(decode_all(w.buf, w.len - 5, seqs, 8, &st), 2);
	assert_int_equal(st.frames, 2);
	assert_true(st.skipped_bytes > 0);
	/* Every prefix length decodes without error. */
	for (size_t cut = 0; cut < w.len; cut++)
		assert_true(decode_all(w.buf, cut, seqs, 8, &st) <= 3);
	kt_wbuf_free(&w);
}

static void test_flipped_bit(void **state)
{
	struct kt_wbuf w = { 0 };
	struct kt_decoder_stats st;
	size_t one;
	int seqs[8], n;

	(void)state;
	make_stream(&w, 3);
	one = w.len / 3;
	/* A bit in the second frame's payload: that frame is dropped and counted. */
	w.buf[one + KT_HDR_LEN + 3] ^= 0x10;
	n = decode_all(w.buf, w.len, seqs, 8, &st);
	assert_int_equal(n, 2);
	assert_int_equal(seqs[0], 0);
	assert_int_equal(seqs[1], 2);
	assert_int_equal(st.bad_checksum, 1);
	w.buf[one + KT_HDR_LEN + 3] ^= 0x10;
	/* A bit in the second frame's length field: the header check catches it. */
	w.buf[one + 13] ^= 0x01;
	n = decode_all(w.buf, w.len, seqs, 8, &st);
	assert_int_equal(n, 2);
	assert_int_equal(seqs[1], 2);
	assert_true(st.bad_header >= 1);
	kt_wbuf_free(&w);
}

static void test_garbage_between(void **state)
{
	struct kt_wbuf frames = { 0 }, w = { 0 };
	struct kt_decoder_stats st;
	size_t one;
	int seqs[8];
	/* Includes a false magic to make the resync work for it. */
	static const char junk[] = "boot noise KTSR\x01\x00 more noise KT";

	(void)state;
	make_stream(&frames, 3);
	one = frames.len / 3;
	kt_put_bytes(&w, junk, sizeof(junk) - 1);
	kt_put_bytes(&w, frames.buf, one);
	kt_put_bytes(&w, junk, sizeof(junk) - 1);
	kt_put_bytes(&w, frames.buf + one, frames.len - one);
	kt_put_bytes(&w, "tail", 4);
	assert_int_equal(decode_all(w.buf, w.len, seqs, 8, &st), 3);
	assert_int_equal(seqs[2], 2);
	assert_int_equal(st.skipped_bytes, 2 * (sizeof(junk) - 1) + 4);
	kt_wbuf_free(&frames);
	kt_wbuf_free(&w);
}

static void test_short_payload_rejected(void **state)
{
	struct kt_wbuf w = { 0 };
	struct kt_decoder d;
	struct kt_frame f;
	struct kt_hello h;
	/* A HELLO whose release string claims 60000 bytes but has 3. */
	uint8_t bad[] = { 1, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x60, 0xea, 'a', 'b', 'c' };

	(void)state;
	assert_int_equal(kt_frame_append(&w, KT_MSG_HELLO, 0, bad, sizeof(bad)), 0);
	assert_int_equal(kt_decoder_init(&d), 0);
	kt_decoder_feed(&d, w.buf, w.len);
	assert_int_equal(kt_decoder_next(&d, &f), KT_DEC_FRAME);
	assert_int_equal(kt_dec_hello(&f, &h), -1);
	assert_int_equal(h.release[0], '\0');
	kt_decoder_free(&d);
	kt_wbuf_free(&w);
}

static void test_oversized_payload(void **state)
{
	struct kt_wbuf w = { 0 };

	(void)state;
	assert_int_equal(kt_frame_append(&w, 1, 0, "", KT_MAX_PAYLOAD + 1), -1);
	kt_wbuf_free(&w);
}

static void test_roundtrip_topo(void **state)
{
	struct kt_topo_cpu c = { .cpu = 5, .node = 1, .package = 1, .die = 2, .core = 1,
				 .llc = "4-7", .siblings = "5" }, c2;
	struct kt_topo_node n = { .node = 1, .mem_kib = 262144, .cpus = "4-7",
				  .distance = "20 10" }, n2;
	struct kt_wbuf w = { 0 };
	struct kt_decoder d;
	struct kt_frame f;

	(void)state;
	assert_int_equal(kt_enc_topo_cpu(&w, 0, &c), 0);
	assert_int_equal(kt_enc_topo_node(&w, 1, &n), 0);
	assert_int_equal(kt_decoder_init(&d), 0);
	kt_decoder_feed(&d, w.buf, w.len);
	assert_int_equal(kt_decoder_next(&d, &f), KT_DEC_FRAME);
	assert_int_equal(f.type, KT_MSG_TOPO_CPU);
	assert_int_equal(kt_dec_topo_cpu(&f, &c2), 0);
	assert_int_equal(c2.cpu, 5);
	assert_int_equal(c2.node, 1);
	assert_int_equal(c2.die, 2);
	assert_string_equal(c2.llc, "4-7");
	assert_string_equal(c2.siblings, "5");
	assert_int_equal(kt_decoder_next(&d, &f), KT_DEC_FRAME);
	assert_int_equal(kt_dec_topo_node(&f, &n2), 0);
	assert_int_equal(n2.mem_kib, 262144);
	assert_string_equal(n2.distance, "20 10");
	/* A truncated payload is refused, not read past its end */
	f.len = 6;
	assert_int_equal(kt_dec_topo_node(&f, &n2), -1);
	kt_decoder_free(&d);
	kt_wbuf_free(&w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip_hello),
		cmocka_unit_test(test_roundtrip_all_types),
		cmocka_unit_test(test_roundtrip_topo),
		cmocka_unit_test(test_byte_at_a_time),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_flipped_bit),
		cmocka_unit_test(test_garbage_between),
		cmocka_unit_test(test_short_payload_rejected),
		cmocka_unit_test(test_oversized_payload),
	};
	return cmocka_run_group_tests_name("wire", tests, NULL, NULL);
}
