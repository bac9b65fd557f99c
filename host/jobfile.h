/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Job files (INI, parsed with Debian's libinih) and the command-line shorthands that build
 * the same job. Both feed key = value entries, each remembering where it came from
 * ("job.ini:7", "--group a"), into one compiler that validates every key and produces the
 * shared struct kt_job. Entries are applied in two passes ([global] first, then each group
 * on top of it), so [global] may stand anywhere in the file. See docs/job-format.md.
 *
 * jobfile.c collects entries (files via libinih), jobcompile.c validates and compiles them,
 * jobprint.c writes a compiled job back out (canonical INI, binary job file).
 */
#ifndef KTSTR_JOBFILE_H
#define KTSTR_JOBFILE_H

#include <stdio.h>
#include <string.h>
#include "../shared/job.h"

/* Where the guest finds a scheduler binary the host packed into the initramfs. */
#define JOB_GUEST_BIN_DIR	"/ktstr/bin"
/* What a job's name may be made of. */
#define JOB_NAME_CHARS "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-"
/* libinih keeps at most 49 characters of a section name: longer ones are refused. */
#define JOB_MAX_SECTION		49
/* The group a job without group sections gets. */
#define JOB_IMPLICIT_GROUP	"default"

/* Copies with truncation (callers check lengths where truncation would matter). */
static inline void job_copy(char *dst, size_t sz, const char *src)
{
	size_t n = strnlen(src, sz - 1);

	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* A compiled job plus what only the host needs. */
struct jobspec {
	struct kt_job job;
	char scheduler_host[4096];	/* host file to pack at job.scheduler; "" none */
};

struct job_entry {
	char where[160];	/* "FILE:LINE" or the flag it came from */
	char section[64];
	char key[160];		/* "sysctl." and a sysctl name */
	char value[1024];
	int cli;		/* from the command line: overrides the file, may repeat */
};

struct job_section {
	char name[64];
	char where[160];
};

/* Collected entries; errors accumulate as lines in err. */
struct job_src {
	struct job_entry *e;
	size_t n, cap;
	struct job_section *sec;
	size_t nsec, seccap;
	char base_dir[4096];	/* relative scheduler paths resolve against it */
	char name[64];		/* the job's default name */
	uint32_t default_workers;	/* workers when nothing says; 0: 1 */
	uint64_t default_duration_ms;	/* duration when nothing says; 0: 5 s */
	char err[4096];
	unsigned nerr;
};

void jobsrc_init(struct job_src *s);
void jobsrc_free(struct job_src *s);
/* Records an error "WHERE: [SECTION] KEY: message" (or without the key part). */
void jobsrc_error(struct job_src *s, const char *where, const char *section, const char *key,
		  const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* Reads a job file ("-" is stdin). Returns -1 (with errors recorded) on any error. */
int jobsrc_load_file(struct job_src *s, const char *path);
/* Adds a section / an entry (from the command line). Returns -1 when out of memory. */
int jobsrc_add_section(struct job_src *s, const char *where, const char *name);
int jobsrc_add(struct job_src *s, const char *where, const char *section, const char *key,
	       const char *value, int cli);
/* Appends src's sections, entries and errors to dst (command line after the file). */
int jobsrc_merge(struct job_src *dst, const struct job_src *src);
/*
 * Validates every entry and builds js (which the caller releases with jobspec_free).
 * Returns 0, or -1 with every problem recorded in s->err.
 */
int jobsrc_compile(struct job_src *s, struct jobspec *js);

/* Convenience: load + compile one file. On failure err holds the messages. */
int jobfile_parse(const char *path, struct jobspec *js, char *err, size_t esz);
void jobspec_free(struct jobspec *js);

/* Prints the job as canonical INI that compiles to the same bytes. */
void jobfile_print(FILE *f, const struct jobspec *js);
/* Writes the compiled job (one KT_MSG_JOB frame) to path. Returns 0 or -1 after printing why. */
int jobfile_write_compiled(const struct jobspec *js, const char *path);

/* The job's CPU and node lists against the VM's. Returns -1 with why naming group and key. */
int job_check_vm(const struct kt_job *j, unsigned vcpus, unsigned nodes, char *why, size_t wsz);
/* "0-3,6": ascending ranges of ids up to max. Returns 0 if valid. */
int job_idlist_valid(const char *s, unsigned max);

#endif
