// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target: everything the host builds from the guest's reports. The payload
 * decoders (WORKER, GROUP, JOB) and then the whole result: collection and validation,
 * statistics, every check, the human summary and the JSON document.
 *
 * Input formats, by the first bytes:
 *   "KTSR..."     a captured report stream (the seed corpus: real runs), through the
 *                 checksummed frame decoder;
 *   0x00..0x02    one payload for the WORKER, GROUP or JOB decoder;
 *   anything else a list of frames without checksums, [u8 type][u16 length][payload]...,
 *                 so mutations reach the result builder (checksums would stop them).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../host/checks.h"
#include "../../host/output.h"

static FILE *devnull;

static void judge(struct result *r)
{
	struct verdict vd = { 0 };
	char why[512], *json;
	int status;

	if (checks_run(r, &vd) == 0) {
		status = checks_exit_status(r, &vd, why, sizeof(why));
		checks_note_status(&vd, status, why);
		output_summary(devnull, r, &vd, status, why, 1, 1);
		json = output_json_string(r, &vd, status, why, NULL);
		free(json);
	}
	verdict_free(&vd);
}

static void payload(uint8_t which, const uint8_t *p, size_t n)
{
	struct kt_frame f = { .version = KT_VERSION, .payload = p, .len = (uint32_t)n };
	char why[256];

	switch (which) {
	case 0: {
		struct kt_worker_report w;

		f.type = KT_MSG_WORKER;
		if (kt_dec_worker(&f, &w) == 0)
			kt_worker_validate(&w, n ? p[0] : 1, 3, why, sizeof(why));
		break;
	}
	case 1: {
		struct kt_group_info g;

		f.type = KT_MSG_GROUP;
		kt_dec_group_info(&f, &g);
		break;
	}
	default: {
		struct kt_job j;

		f.type = KT_MSG_JOB;
		if (kt_job_decode(&f, &j, why, sizeof(why)) == 0)
			kt_job_free(&j);
		break;
	}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct result r;
	uint32_t seq = 0;

	if (!devnull && !(devnull = fopen("/dev/null", "w")))
		return 0;
	if (size < 1)
		return 0;
	if (data[0] <= 2) {
		payload(data[0], data + 1, size - 1);
		return 0;
	}
	result_init(&r);
	if (size >= 4 && !memcmp(data, "KTSR", 4)) {
		result_feed_buf(&r, data, size);
	} else {
		data++;
		size--;
		while (size >= 3) {
			struct kt_frame f = { .version = KT_VERSION, .seq = seq++ };
			size_t len = (size_t)data[1] | (size_t)data[2] << 8;

			f.type = data[0] < 40 ? data[0] : KT_MSG_JOB;	/* reach the job too */
			if (len > size - 3)
				len = size - 3;
			f.payload = data + 3;
			f.len = (uint32_t)len;
			result_frame(&r, &f);
			data += 3 + len;
			size -= 3 + len;
		}
	}
	judge(&r);
	result_free(&r);
	return 0;
}
