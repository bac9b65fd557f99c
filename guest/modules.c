// SPDX-License-Identifier: GPL-2.0-only
/*
 * Loads the kernel modules the host packed (--modules, and the virtio drivers the report
 * channel needs when the kernel has them as modules), in the dependency order it wrote to
 * /ktstr/modules.order. Compressed modules (.ko.xz, .ko.zst, .ko.gz) go to the kernel as
 * they are with MODULE_INIT_COMPRESSED_FILE (the kernel decompresses them).
 *
 * Loading happens before the report channel opens (its driver may be one of them), so the
 * outcome of each is kept and reported once the channel is up.
 */
#include "init.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define ORDER "/ktstr/modules.order"
#ifndef MODULE_INIT_COMPRESSED_FILE
#define MODULE_INIT_COMPRESSED_FILE 4
#endif

static int compressed(const char *path)
{
	const char *ext = strrchr(path, '.');

	return ext && (!strcmp(ext, ".xz") || !strcmp(ext, ".zst") || !strcmp(ext, ".gz"));
}

/* "/ktstr/modules/virtio_blk.ko.xz" -> "virtio_blk" ('-' becomes '_' as in /sys/module). */
static void module_name(const char *path, char *name, size_t sz)
{
	const char *base = strrchr(path, '/');
	size_t n;

	base = base ? base + 1 : path;
	n = strcspn(base, ".");
	if (n >= sz)
		n = sz - 1;
	memcpy(name, base, n);
	name[n] = '\0';
	for (char *p = name; *p; p++)
		if (*p == '-')
			*p = '_';
}

#define MAX_MODULES 256

struct outcome {
	char path[128];
	const char *call;	/* the call that failed, NULL when loaded */
	int err;
	int flags;
};

static struct outcome outcomes[MAX_MODULES];
static unsigned noutcomes;

static void load_one(const char *path)
{
	struct outcome *o;
	int fd;

	if (noutcomes == MAX_MODULES) {
		con_printf("ktstr-init: more than %d modules; %s not loaded\n", MAX_MODULES, path);
		return;
	}
	o = &outcomes[noutcomes++];
	snprintf(o->path, sizeof(o->path), "%s", path);
	o->flags = compressed(path) ? MODULE_INIT_COMPRESSED_FILE : 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		o->call = "open";
		o->err = errno;
		return;
	}
	if (syscall(SYS_finit_module, fd, "", o->flags) < 0 && errno != EEXIST) {
		o->call = "finit_module";
		o->err = errno;
	}
	close(fd);
}

unsigned modules_loaded(void)
{
	return noutcomes;
}

int modules_report(void)
{
	char name[64], sys[128];
	int failed = 0;

	for (unsigned i = 0; i < noutcomes; i++) {
		const struct outcome *o = &outcomes[i];

		if (o->call) {
			failed++;
			report_error("modules", o->call, o->path, o->err, "%s",
				     !strcmp(o->call, "open") ? "module packed by the host is missing" :
				     o->flags && (o->err == EOPNOTSUPP || o->err == ENOPKG) ?
				     "this kernel cannot decompress modules itself" :
				     "loading the module");
			continue;
		}
		module_name(o->path, name, sizeof(name));
		snprintf(sys, sizeof(sys), "/sys/module/%s", name);
		report_text(KT_MSG_LOG, "module %s loaded (%s %s)", name, sys,
			    access(sys, F_OK) ? "missing" : "present");
	}
	return failed;
}

int modules_load(void)
{
	char *list, *save = NULL;
	size_t len;
	int failed = 0, fd = open(ORDER, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return 0;	/* nothing packed */
	list = malloc(65536);
	if (!list) {
		close(fd);
		con_printf("ktstr-init: out of memory reading %s\n", ORDER);
		return 1;
	}
	len = 0;
	for (;;) {
		ssize_t n = read(fd, list + len, 65535 - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	list[len] = '\0';
	for (char *p = strtok_r(list, "\n", &save); p; p = strtok_r(NULL, "\n", &save))
		load_one(p);
	free(list);
	for (unsigned i = 0; i < noutcomes; i++)
		failed += outcomes[i].call != NULL;
	return failed;
}
