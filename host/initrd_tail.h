/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The last archive of a run's initramfs: /ktstr/sentinel, appended after the base and the
 * suffix so it is the very last file the kernel unpacks. If the guest finds it, the whole
 * initramfs arrived (memory did not run out half way); ktstr-init checks it when the
 * command line has ktstr.sentinel=1.
 */
#ifndef KTSTR_INITRD_TAIL_H
#define KTSTR_INITRD_TAIL_H

#define INITRD_SENTINEL "ktstr/sentinel"

/*
 * Appends the tail archive to the initramfs at path, LZ4-compressed when lz4 is set (it
 * must be, behind an LZ4 archive). pad_mib > 0 first adds that many MiB of incompressible
 * filler (a test knob: KTSTR_INITRD_PAD_MIB). Returns 0, or -1 after printing why.
 */
int initrd_append_tail(const char *path, unsigned pad_mib, int lz4);
/* KTSTR_INITRD_PAD_MIB, or 0 */
unsigned initrd_pad_mib_from_env(void);

#endif
