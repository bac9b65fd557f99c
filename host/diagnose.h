/* SPDX-License-Identifier: GPL-2.0-only */
/* Naming why a run ended without the guest's EXIT: what the console and QEMU showed. */
#ifndef KTSTR_DIAGNOSE_H
#define KTSTR_DIAGNOSE_H

#include <stddef.h>

struct session;

/* One line naming the failure: a panic, an init crash, a triple fault, QEMU dying, ... */
void diagnose_failure(const struct session *s, char *msg, size_t sz);

#endif
