/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The initramfs cache.
 *
 * Key: XXH3-128 over every input byte (each packed file's contents, archive paths, modes,
 * hard-link structure) and the options that change the output. File contents are hashed
 * once per (device, inode, size, mtime, ctime): the digests are memoised in the cache
 * directory, so touching a file costs one re-hash and no rebuild, and an unchanged tree is
 * keyed with stat calls only.
 *
 * Tier 1 is a table in the process. Tier 2 lives in DIR/initramfs (DIR: $KTSTR_CACHE_DIR,
 * else ~/.cache/ktstr), one file KEY.img per entry: a 64-byte header (magic, key, payload
 * length, payload XXH3-128, header checksum) then the payload. A short critical section
 * under DIR/initramfs/lock either finds the entry or creates it with O_CREAT|O_EXCL and
 * takes flock(LOCK_EX) on it: that process is the one builder. The others wait for
 * LOCK_SH (bounded), verify the whole entry and map it read-only; holding LOCK_SH while
 * they use it keeps 'ktstr cache clean' and pruning away from it. An entry that fails
 * verification (a builder killed mid-write, a truncated or corrupted file) is removed and
 * rebuilt; one not owned by this user, or open to others, is never read.
 */
#ifndef KTSTR_CACHE_H
#define KTSTR_CACHE_H

#include <stddef.h>
#include <stdint.h>
#include "cpio.h"

#define CACHE_KEY_LEN 16
#define CACHE_HDR_LEN 64
#define CACHE_KEEP 8		/* entries kept when pruning after a build */

struct memo_rec;

struct cache {
	char dir[4096];		/* .../initramfs; "" when the cache is unusable */
	int verbose;
	uint64_t wait_ms;	/* how long to wait for another builder (KTSTR_CACHE_WAIT_MS) */
	/* digest memo */
	struct memo_rec *memo;
	size_t nmemo, capmemo;
	struct memo_rec *fresh;	/* records to append */
	size_t nfresh, capfresh;
	/* counters, for tests and -v */
	unsigned hashed, memo_hits, builds, hits;
};

/* A cache entry's payload, read-only. Owned by the in-process table. */
struct cache_blob {
	const uint8_t *data;
	size_t len;
};

/* Builds the payload for a key: a malloc'd buffer in *out. Returns 0 or -1 with err. */
typedef int (*cache_build_fn)(void *ctx, uint8_t **out, size_t *len, char *err, size_t errsz);

/*
 * Opens (creating) the cache directory: dir, else $KTSTR_CACHE_DIR/initramfs, else
 * ~/.cache/ktstr/initramfs. Returns 0, or -1 with err: the cache then works in-process only.
 */
int cache_open(struct cache *c, const char *dir, char *err, size_t errsz);
/* Fills every entry's digest (through the memo) and the key of tree + opts. */
int cache_key(struct cache *c, struct cpio_tree *t, const void *opts, size_t optslen,
	      uint8_t key[CACHE_KEY_LEN], char *err, size_t errsz);
/* Finds or builds the entry for key. *out stays valid until cache_forget(). */
int cache_get(struct cache *c, const uint8_t key[CACHE_KEY_LEN], cache_build_fn build,
	      void *ctx, struct cache_blob *out, char *err, size_t errsz);
/* Writes the memo records learned since cache_open and frees c (not tier 1). */
void cache_close(struct cache *c);
/* Drops the in-process table: the next cache_get goes to the directory again. */
void cache_forget(void);

void cache_key_hex(const uint8_t key[CACHE_KEY_LEN], char hex[2 * CACHE_KEY_LEN + 1]);

struct cache_info {
	char name[64];
	uint64_t size;
	int64_t mtime;
	int valid, in_use, foreign;
	char why[128];		/* why it is not valid */
};
/* Calls fn for each entry in the directory. */
int cache_list(struct cache *c, void (*fn)(void *ctx, const struct cache_info *i), void *ctx,
	       char *err, size_t errsz);
/* Removes entries no process holds (all but keep newest valid ones) and stale memos. */
int cache_prune(struct cache *c, size_t keep, unsigned *removed, unsigned *busy,
		uint64_t *bytes, char *err, size_t errsz);

#endif
