/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Report messages (guest -> host): the payloads carried by frames of each type.
 * Encoders append a complete frame; decoders read an untrusted payload into a fixed-size
 * struct and return -1 when it is short or malformed. See docs/protocol.md.
 */
#ifndef KTSTR_MSG_H
#define KTSTR_MSG_H

#include "wire.h"

#define KT_PROTO 1

enum kt_msg_type {
	KT_MSG_HELLO = 1,	/* first frame: who the guest is */
	KT_MSG_EXIT = 2,	/* last frame: the guest's status */
	KT_MSG_STAGE = 3,	/* progress through the init's lifecycle */
	KT_MSG_ERROR = 4,	/* a failed call: stage, call, path, errno */
	KT_MSG_KMSG = 5,	/* an interesting kernel log line */
	KT_MSG_LOG = 6,		/* a line of text from the init */
	KT_MSG_SCHED_EXIT = 7,	/* the scheduler under test exited (died, or was stopped) */
	/* 24..31: what the guest sees of the machine (guest/topo.c) */
	KT_MSG_TOPO_CPU = 24,	/* one online CPU: node, LLC and thread siblings */
	KT_MSG_TOPO_NODE = 25,	/* one NUMA node: CPUs, memory, distances */
};

const char *kt_msg_name(uint16_t type);

struct kt_hello {
	uint16_t proto;
	uint32_t ncpus;
	uint64_t mem_kib;
	char release[65];
	char machine[65];
};

struct kt_exit {
	int32_t status;
	char reason[256];
};

struct kt_stage {
	uint64_t t_ns;		/* CLOCK_MONOTONIC in the guest */
	char name[32];
};

struct kt_error {
	int32_t err;		/* errno, 0 when not from a syscall */
	char stage[32];
	char call[32];
	char path[256];
	char msg[256];
};

struct kt_text {
	char text[1024];
};

struct kt_sched_exit {
	int32_t code;		/* exit status, or -1 when killed by a signal */
	int32_t signo;		/* the signal that killed it, or 0 */
	uint8_t expected;	/* 1: the init stopped it at the end; 0: it died or failed */
	uint64_t t_ns;		/* guest CLOCK_MONOTONIC when it was seen gone */
	char why[128];		/* "died while workers ran", "stopped at the end", ... */
	char log[4096];		/* the last lines of its output */
};

struct kt_topo_cpu {
	uint32_t cpu;
	int32_t node;		/* -1: no node directory links it */
	int32_t package, die, core;	/* topology/{physical_package,die,core}_id, or -1 */
	char llc[128];		/* cache/index3/shared_cpu_list, "" if no L3 */
	char siblings[128];	/* topology/thread_siblings_list */
};

struct kt_topo_node {
	uint32_t node;
	uint64_t mem_kib;	/* MemTotal of the node */
	char cpus[128];		/* cpulist */
	char distance[256];	/* the node's distance row, as sysfs prints it */
};

/* Encoders: append one frame of the message to out. Return -1 on allocation failure. */
int kt_enc_hello(struct kt_wbuf *out, uint32_t seq, const struct kt_hello *m);
int kt_enc_exit(struct kt_wbuf *out, uint32_t seq, const struct kt_exit *m);
int kt_enc_stage(struct kt_wbuf *out, uint32_t seq, const struct kt_stage *m);
int kt_enc_error(struct kt_wbuf *out, uint32_t seq, const struct kt_error *m);
int kt_enc_text(struct kt_wbuf *out, uint16_t type, uint32_t seq, const struct kt_text *m);
int kt_enc_topo_cpu(struct kt_wbuf *out, uint32_t seq, const struct kt_topo_cpu *m);
int kt_enc_topo_node(struct kt_wbuf *out, uint32_t seq, const struct kt_topo_node *m);

int kt_enc_sched_exit(struct kt_wbuf *out, uint32_t seq, const struct kt_sched_exit *m);
int kt_dec_sched_exit(const struct kt_frame *f, struct kt_sched_exit *m);

int kt_dec_hello(const struct kt_frame *f, struct kt_hello *m);
int kt_dec_exit(const struct kt_frame *f, struct kt_exit *m);
int kt_dec_stage(const struct kt_frame *f, struct kt_stage *m);
int kt_dec_error(const struct kt_frame *f, struct kt_error *m);
int kt_dec_text(const struct kt_frame *f, struct kt_text *m);
int kt_dec_topo_cpu(const struct kt_frame *f, struct kt_topo_cpu *m);
int kt_dec_topo_node(const struct kt_frame *f, struct kt_topo_node *m);

#endif
