// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target: the report stream decoder and every message decoder, fed the way the
 * host is fed by an untrusted guest (arbitrary bytes, arbitrary read sizes).
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "../../shared/exec.h"
#include "../../shared/msg.h"

static void decode_payload(const struct kt_frame *f)
{
	union {
		struct kt_hello h;
		struct kt_exit e;
		struct kt_stage s;
		struct kt_error er;
		struct kt_text t;
		struct kt_sched_exit x;
		struct kt_topo_cpu tc;
		struct kt_topo_node tn;
		struct kt_exec_done xd;
	} m;

	switch (f->type) {
	case KT_MSG_HELLO: kt_dec_hello(f, &m.h); break;
	case KT_MSG_EXIT: kt_dec_exit(f, &m.e); break;
	case KT_MSG_STAGE: kt_dec_stage(f, &m.s); break;
	case KT_MSG_ERROR: kt_dec_error(f, &m.er); break;
	case KT_MSG_SCHED_EXIT: kt_dec_sched_exit(f, &m.x); break;
	case KT_MSG_TOPO_CPU: kt_dec_topo_cpu(f, &m.tc); break;
	case KT_MSG_TOPO_NODE: kt_dec_topo_node(f, &m.tn); break;
	case KT_MSG_EXEC_DONE: kt_dec_exec_done(f, &m.xd); break;
	default: kt_dec_text(f, &m.t); break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct kt_decoder d;
	static int ready;
	struct kt_frame f;
	size_t chunk;

	if (!ready) {	/* one 2 MiB buffer for the whole run, as in the host */
		if (kt_decoder_init(&d))
			return 0;
		ready = 1;
	}
	if (size < 2)
		return 0;
	/*
	 * Checksums stop random mutations before the payload decoders, so half the inputs
	 * skip the framing: first byte 0xff, second byte the type, the rest the payload.
	 */
	if (data[0] == 0xff) {
		f.type = data[1];
		f.payload = data + 2;
		f.len = (uint32_t)(size - 2);
		decode_payload(&f);
		return 0;
	}
	/* The first byte picks the read size, so short reads split frames everywhere. */
	chunk = (size_t)data[0] + 1;
	data++;
	size--;
	while (size) {
		size_t k = kt_decoder_feed(&d, data, size < chunk ? size : chunk);

		data += k;
		size -= k;
		while (kt_decoder_next(&d, &f) != KT_DEC_MORE)
			if (f.payload)
				decode_payload(&f);
	}
	kt_decoder_finish(&d);
	return 0;
}
