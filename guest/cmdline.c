// SPDX-License-Identifier: GPL-2.0-only
#include "init.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The kernel keeps dotted parameters out of init's argv, so read them from /proc/cmdline. */
void cmdline_parse(struct init_opts *o)
{
	char buf[4096];

	memset(o, 0, sizeof(*o));
	snprintf(o->job_path, sizeof(o->job_path), "/ktstr/job");
	if (read_text("/proc/cmdline", buf, sizeof(buf)) <= 0)
		return;
	for (char *save, *tok = strtok_r(buf, " \n", &save); tok; tok = strtok_r(NULL, " \n", &save)) {
		if (!strncmp(tok, "ktstr.exit=", 11)) {
			o->exit_status = atoi(tok + 11);
		} else if (!strncmp(tok, "ktstr.job=", 10)) {
			snprintf(o->job_path, sizeof(o->job_path), "%s", tok + 10);
			o->job_explicit = 1;
		} else if (!strncmp(tok, "ktstr.test_kmsg=", 16)) {
			snprintf(o->test_kmsg, sizeof(o->test_kmsg), "%s", tok + 16);
		} else if (!strncmp(tok, "ktstr.test_sysrq=", 17) && tok[17] && tok[18] == '@') {
			/* KEY@Ns or KEY@Nms */
			char *end;
			unsigned long v = strtoul(tok + 19, &end, 10);

			o->test_sysrq = tok[17];
			o->test_sysrq_ms = (uint32_t)(strcmp(end, "ms") ? v * 1000 : v);
		} else if (!strcmp(tok, "ktstr.report=ttyS1")) {
			o->serial_only = 1;
		} else if (!strncmp(tok, "ktstr.rows=", 11)) {
			o->rows = (unsigned)strtoul(tok + 11, NULL, 10);
		} else if (!strncmp(tok, "ktstr.cols=", 11)) {
			o->cols = (unsigned)strtoul(tok + 11, NULL, 10);
		} else if (!strncmp(tok, "ktstr.term=", 11)) {
			snprintf(o->term, sizeof(o->term), "%s", tok + 11);
		} else if (!strcmp(tok, "ktstr.dmesg=1")) {
			o->dmesg = 1;
		}
		else if (!strcmp(tok, "ktstr.sentinel=1"))
			o->sentinel = 1;
		else if (!strcmp(tok, "ktstr.topo=1"))
			o->topo = 1;
		else if (!strncmp(tok, "ktstr.crash=", 12))
			snprintf(o->crash, sizeof(o->crash), "%s", tok + 12);
	}
}
