// SPDX-License-Identifier: GPL-2.0-only
/*
 * Decode throughput: a large report stream through the frame decoder into a result (frame
 * checksums, payload decoding, validation), against XXH64 over the same bytes in the same
 * run. The stream repeats the WORKER frames of a captured stream (or, without one, reports
 * with full latency reservoirs, the largest a guest sends) with fresh sequence numbers.
 * usage: decode_bench MIB [CAPTURED_STREAM [OUT_FILE]]
 * prints: seconds and MB/s of both, and writes the stream to OUT_FILE when given.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <xxhash.h>

#include "../../host/result.h"
#include "../../host/util.h"

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + t.tv_nsec / 1e9;
}

/* The WORKER payloads of a captured stream; 0 if it has none. */
static size_t templates(const char *path, struct kt_wbuf *tpl, struct kt_wbuf *head)
{
	size_t len, n = 0;
	uint8_t *buf = path ? kt_read_file(path, 1 << 30, &len) : NULL;
	struct kt_decoder d;
	struct kt_frame f;

	if (!buf || kt_decoder_init(&d) < 0)
		return 0;
	kt_decoder_feed(&d, buf, len);
	while (kt_decoder_next(&d, &f) != KT_DEC_MORE) {
		if (f.type == KT_MSG_WORKER) {
			kt_put_u32(tpl, f.len);
			kt_put_bytes(tpl, f.payload, f.len);
			n++;
		} else if (f.type == KT_MSG_HELLO || f.type == KT_MSG_JOB) {
			kt_frame_append(head, f.type, f.type == KT_MSG_HELLO ? 0 : 1, f.payload,
					f.len);
		}
	}
	kt_decoder_free(&d);
	free(buf);
	return n;
}

int main(int argc, char **argv)
{
	size_t want = (argc > 1 ? strtoul(argv[1], NULL, 10) : 256) << 20;
	struct kt_wbuf s = { 0 }, tpl = { 0 }, head = { 0 };
	struct kt_worker_report w;
	struct result r;
	uint32_t seq = 2;
	size_t ntpl = templates(argc > 2 ? argv[2] : NULL, &tpl, &head);
	double t0, t_hash, t_dec;
	uint64_t h;

	if (!ntpl) {	/* no capture with workers: a synthetic HELLO, job and full report */
		struct kt_hello hl = { .proto = KT_PROTO, .ncpus = 4 };
		struct kt_job j;

		kt_enc_hello(&head, 0, &hl);
		kt_job_init(&j);
		kt_job_add_group(&j, "bench")->workers = 64;
		kt_job_encode(&head, 1, &j);
		kt_job_free(&j);
		memset(&w, 0, sizeof(w));
		w.ncpus = 4;
		w.wake.count = w.wake.n = w.timer.count = w.timer.n = KT_RES_CAP;
		for (int i = 0; i < KT_RES_CAP; i++)
			w.wake.v_ns[i] = w.timer.v_ns[i] = (uint32_t)(1000 + 37 * i);
	}
	kt_put_bytes(&s, head.buf, head.len);
	for (size_t k = 0; s.len < want && !s.oom; k++) {
		if (ntpl) {
			size_t off = 0, i = k % ntpl;
			uint32_t len;

			for (size_t j = 0; j < i; j++)
				off += 4 + (tpl.buf[off] | tpl.buf[off + 1] << 8 |
					    tpl.buf[off + 2] << 16 | (uint32_t)tpl.buf[off + 3] << 24);
			len = tpl.buf[off] | tpl.buf[off + 1] << 8 | tpl.buf[off + 2] << 16 |
			      (uint32_t)tpl.buf[off + 3] << 24;
			kt_frame_append(&s, KT_MSG_WORKER, seq++, tpl.buf + off + 4, len);
		} else {
			w.index = (uint32_t)(k % 64);
			w.tid = (uint32_t)k;
			kt_enc_worker(&s, seq++, &w);
		}
	}
	if (s.oom) {
		fprintf(stderr, "decode_bench: out of memory building %zu MiB\n", want >> 20);
		return 1;
	}
	t0 = now();
	h = XXH64(s.buf, s.len, 0);
	t_hash = now() - t0;
	result_init(&r);
	t0 = now();
	result_feed_buf(&r, s.buf, s.len);
	t_dec = now() - t0;
	if (r.dec.bad_checksum || r.dec.bad_header || r.frames < 1000) {
		fprintf(stderr, "decode_bench: the stream did not decode cleanly\n");
		return 1;
	}
	printf("bytes %zu frames %llu source %s\n", s.len, (unsigned long long)r.frames,
	       ntpl ? argv[2] : "synthetic");
	printf("decode %.6f s %.1f MB/s\n", t_dec, s.len / t_dec / 1e6);
	printf("xxh64 %.6f s %.1f MB/s (%016llx)\n", t_hash, s.len / t_hash / 1e6,
	       (unsigned long long)h);
	if (argc > 3) {
		FILE *f = fopen(argv[3], "wb");

		if (!f || fwrite(s.buf, 1, s.len, f) != s.len || fclose(f)) {
			perror(argv[3]);
			return 1;
		}
	}
	result_free(&r);
	kt_wbuf_free(&s);
	kt_wbuf_free(&tpl);
	kt_wbuf_free(&head);
	return 0;
}
