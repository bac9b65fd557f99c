/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * LZ4 in the kernel's legacy format (what CONFIG_RD_LZ4 unpacks, and `lz4 -l` writes):
 * u32 magic 0x184C2102, then chunks of u32 compressed size + one LZ4 block of at most
 * 8 MiB uncompressed (lib/decompress_unlz4.c). Chunks are independent, so they are
 * compressed in parallel. The kernel's decompressor takes everything after the magic as
 * chunks, so an LZ4 archive must be the last one in an initramfs; further legacy streams
 * may follow it (the decompressor skips a repeated magic).
 */
#ifndef KTSTR_LZ4_H
#define KTSTR_LZ4_H

#include <stddef.h>
#include <stdint.h>

#define LZ4_LEGACY_MAGIC 0x184C2102u
/* Smaller than the kernel's 8 MiB limit so that even a few-MiB base uses both cores. */
#define LZ4_LEGACY_CHUNK (1u << 20)

/* Worst-case output size for len input bytes. */
size_t lz4_legacy_bound(size_t len);
/*
 * Compresses src into dst (at least lz4_legacy_bound(len) bytes) using up to threads
 * threads (0: one per online CPU). Returns the output length, or 0 with err set.
 */
size_t lz4_legacy_compress(const void *src, size_t len, uint8_t *dst, unsigned threads,
			   char *err, size_t errsz);

#endif
