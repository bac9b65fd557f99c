// SPDX-License-Identifier: GPL-2.0-only
#include "lz4.h"

#include <lz4.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_THREADS 16

struct job {
	const uint8_t *src;
	size_t len, nchunks, slot;	/* slot: bytes reserved per chunk in dst */
	uint8_t *dst;
	size_t *out;			/* compressed size of each chunk, 0 = failed */
	size_t next;
	pthread_mutex_t mu;
};

static size_t slot_size(void)
{
	return 4 + (size_t)LZ4_compressBound(LZ4_LEGACY_CHUNK);
}

size_t lz4_legacy_bound(size_t len)
{
	size_t chunks = (len + LZ4_LEGACY_CHUNK - 1) / LZ4_LEGACY_CHUNK;

	return 4 + chunks * slot_size();
}

static void put_le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static void *worker(void *arg)
{
	struct job *j = arg;

	for (;;) {
		size_t i, off, n;
		int r;

		pthread_mutex_lock(&j->mu);
		i = j->next++;
		pthread_mutex_unlock(&j->mu);
		if (i >= j->nchunks)
			return NULL;
		off = i * LZ4_LEGACY_CHUNK;
		n = j->len - off < LZ4_LEGACY_CHUNK ? j->len - off : LZ4_LEGACY_CHUNK;
		/* Level 1 (acceleration 1): the same compression `lz4 -l` gives by default. */
		r = LZ4_compress_default((const char *)j->src + off,
					 (char *)j->dst + 4 + i * j->slot + 4, (int)n,
					 (int)(j->slot - 4));
		j->out[i] = r > 0 ? (size_t)r : 0;
	}
}

size_t lz4_legacy_compress(const void *src, size_t len, uint8_t *dst, unsigned threads,
			   char *err, size_t errsz)
{
	struct job j = { .src = src, .len = len, .dst = dst, .slot = slot_size() };
	pthread_t tid[MAX_THREADS];
	unsigned nt = 0;
	size_t pos = 4;

	j.nchunks = (len + LZ4_LEGACY_CHUNK - 1) / LZ4_LEGACY_CHUNK;
	j.out = calloc(j.nchunks ? j.nchunks : 1, sizeof(*j.out));
	if (!j.out) {
		snprintf(err, errsz, "out of memory compressing %zu bytes", len);
		return 0;
	}
	pthread_mutex_init(&j.mu, NULL);
	if (!threads) {
		long cpus = sysconf(_SC_NPROCESSORS_ONLN);

		threads = cpus > 0 ? (unsigned)cpus : 1;
	}
	if (threads > MAX_THREADS)
		threads = MAX_THREADS;
	if (threads > j.nchunks)
		threads = (unsigned)j.nchunks;
	/* The calling thread works too; extra threads only when there is more than a chunk. */
	for (unsigned i = 1; i < threads; i++)
		if (pthread_create(&tid[nt], NULL, worker, &j) == 0)
			nt++;
	worker(&j);
	for (unsigned i = 0; i < nt; i++)
		pthread_join(tid[i], NULL);
	pthread_mutex_destroy(&j.mu);

	put_le32(dst, LZ4_LEGACY_MAGIC);
	for (size_t i = 0; i < j.nchunks; i++) {
		uint8_t *slot = dst + 4 + i * j.slot;

		if (!j.out[i]) {
			snprintf(err, errsz, "LZ4 compression of chunk %zu failed", i);
			free(j.out);
			return 0;
		}
		/* Chunks were written into fixed slots; close the gaps in order. */
		put_le32(dst + pos, (uint32_t)j.out[i]);
		memmove(dst + pos + 4, slot + 4, j.out[i]);
		pos += 4 + j.out[i];
	}
	free(j.out);
	return pos;
}
