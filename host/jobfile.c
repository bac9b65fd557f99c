// SPDX-License-Identifier: GPL-2.0-only
/* Job sources: entries from job files (read with libinih) and the command line. */
#include "jobfile.h"
#include "util.h"

#include <errno.h>
#include <ini.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define MAX_JOBFILE (1u << 20)

void jobsrc_init(struct job_src *s)
{
	memset(s, 0, sizeof(*s));
	snprintf(s->name, sizeof(s->name), "cli");
}

void jobsrc_free(struct job_src *s)
{
	free(s->e);
	free(s->sec);
	s->e = NULL;
	s->sec = NULL;
	s->n = s->nsec = 0;
}

void jobspec_free(struct jobspec *js)
{
	kt_job_free(&js->job);
}

void jobsrc_error(struct job_src *s, const char *where, const char *section, const char *key,
		  const char *fmt, ...)
{
	size_t len = strlen(s->err);
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	s->nerr++;
	if (len + 1 >= sizeof(s->err))
		return;
	if (key && *key && !(section && *section))
		snprintf(s->err + len, sizeof(s->err) - len, "%s%s: %s: %s", len ? "\n" : "", where,
			 key, msg);
	else if (key && *key)
		snprintf(s->err + len, sizeof(s->err) - len, "%s%s: [%s] %s: %s", len ? "\n" : "",
			 where, section, key, msg);
	else if (section && *section)
		snprintf(s->err + len, sizeof(s->err) - len, "%s%s: [%s]: %s", len ? "\n" : "",
			 where, section, msg);
	else
		snprintf(s->err + len, sizeof(s->err) - len, "%s%s: %s", len ? "\n" : "", where,
			 msg);
}

int jobsrc_add_section(struct job_src *s, const char *where, const char *name)
{
	struct job_section *sec;

	for (size_t i = 0; i < s->nsec; i++)
		if (!strcmp(s->sec[i].name, name))
			return 0;	/* repeated headers continue the section, as in fio */
	if (s->nsec == s->seccap) {
		size_t cap = s->seccap ? s->seccap * 2 : 8;

		sec = realloc(s->sec, cap * sizeof(*sec));
		if (!sec)
			return -1;
		s->sec = sec;
		s->seccap = cap;
	}
	sec = &s->sec[s->nsec++];
	job_copy(sec->name, sizeof(sec->name), name);
	job_copy(sec->where, sizeof(sec->where), where);
	return 0;
}

int jobsrc_add(struct job_src *s, const char *where, const char *section, const char *key,
	       const char *value, int cli)
{
	struct job_entry *e;

	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 32;

		e = realloc(s->e, cap * sizeof(*e));
		if (!e)
			return -1;
		s->e = e;
		s->cap = cap;
	}
	e = &s->e[s->n++];
	job_copy(e->where, sizeof(e->where), where);
	job_copy(e->section, sizeof(e->section), section);
	job_copy(e->key, sizeof(e->key), key);
	job_copy(e->value, sizeof(e->value), value);
	e->cli = cli;
	if (strlen(key) >= sizeof(e->key) || strlen(section) >= sizeof(e->section)) {
		jobsrc_error(s, where, "", "", "section or key name too long (%s)", key);
		return 0;
	}
	if (strlen(value) >= sizeof(e->value))
		jobsrc_error(s, where, section, key, "value longer than %zu characters",
			     sizeof(e->value) - 1);
	return 0;
}

int jobsrc_merge(struct job_src *dst, const struct job_src *src)
{
	for (size_t i = 0; i < src->nsec; i++)
		if (jobsrc_add_section(dst, src->sec[i].where, src->sec[i].name) < 0)
			return -1;
	for (size_t i = 0; i < src->n; i++) {
		const struct job_entry *e = &src->e[i];

		if (jobsrc_add(dst, e->where, e->section, e->key, e->value, e->cli) < 0)
			return -1;
	}
	if (src->nerr) {
		size_t len = strlen(dst->err);

		snprintf(dst->err + len, sizeof(dst->err) - len, "%s%s", len ? "\n" : "", src->err);
		dst->nerr += src->nerr;
	}
	return 0;
}

/*
 * Reading a file. libinih hands every line to our reader, so the reader counts lines (the
 * handler runs for the line just read: that is its line number), records section headers
 * (libinih reports only sections that have keys), strips leading blanks (libinih would take
 * an indented line for a continuation) and `#` comments after a blank (libinih handles
 * only `;` inline).
 */
struct reader {
	struct job_src *s;
	const char *path;
	const char *buf;
	size_t len, off;
	int line;
	char where[160];
};

static char *read_line(char *str, int num, void *stream)
{
	struct reader *r = stream;
	const char *p, *nl, *end;
	size_t n;

	if (r->off >= r->len)
		return NULL;
	p = r->buf + r->off;
	nl = memchr(p, '\n', r->len - r->off);
	end = nl ? nl : r->buf + r->len;
	r->off = (size_t)(end - r->buf) + (nl ? 1 : 0);
	r->line++;
	snprintf(r->where, sizeof(r->where), "%s:%d", r->path, r->line);
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	n = (size_t)(end - p);
	if (memchr(p, '\0', n)) {
		jobsrc_error(r->s, r->where, "", "", "NUL byte: not a text file");
		n = 0;
	} else if (n >= (size_t)num - 1) {
		jobsrc_error(r->s, r->where, "", "", "line longer than %d characters", num - 2);
		n = 0;
	}
	memcpy(str, p, n);
	str[n] = '\0';
	for (char *c = str; *c; c++)
		if (*c == '#' && (c == str || c[-1] == ' ' || c[-1] == '\t')) {
			*c = '\0';
			break;
		}
	if (str[0] == '[') {
		char *close = strchr(str, ']');

		if (close && close - str - 1 > JOB_MAX_SECTION) {
			jobsrc_error(r->s, r->where, "", "", "section name longer than %d characters",
				     JOB_MAX_SECTION);
			str[0] = '\0';
		} else if (close) {
			char name[64];

			snprintf(name, sizeof(name), "%.*s", (int)(close - str - 1), str + 1);
			if (jobsrc_add_section(r->s, r->where, name) < 0)
				jobsrc_error(r->s, r->where, "", "", "out of memory");
		}
	}
	return str;
}

static int on_entry(void *user, const char *section, const char *name, const char *value)
{
	struct reader *r = user;

	if (!*section) {
		jobsrc_error(r->s, r->where, "", name,
			     "key outside any section; put it under [global] or a [group]");
		return 1;
	}
	if (jobsrc_add(r->s, r->where, section, name, value, 0) < 0)
		jobsrc_error(r->s, r->where, "", "", "out of memory");
	return 1;
}

int jobsrc_load_file(struct job_src *s, const char *path)
{
	struct reader r = { .s = s, .path = strcmp(path, "-") ? path : "<stdin>" };
	unsigned nerr = s->nerr;
	size_t len;
	char *buf;
	const char *base, *slash;
	int ret;

	buf = !strcmp(path, "-") ? kt_read_file("/dev/stdin", MAX_JOBFILE, &len)
				 : kt_read_file(path, MAX_JOBFILE, &len);
	if (!buf) {
		jobsrc_error(s, path, "", "", "cannot read: %s", strerror(errno));
		return -1;
	}
	r.buf = buf;
	r.len = len;
	/* Relative scheduler paths are relative to the job file, like include paths. */
	slash = strrchr(path, '/');
	if (!strcmp(path, "-") || !slash)
		snprintf(s->base_dir, sizeof(s->base_dir), ".");
	else
		snprintf(s->base_dir, sizeof(s->base_dir), "%.*s", (int)(slash - path), path);
	/* The job's name: the file's, up to its first '.', made a valid name. */
	base = slash ? slash + 1 : path;
	snprintf(s->name, sizeof(s->name), "%.*s", (int)strcspn(base, "."), base);
	for (char *c = s->name; *c; c++)
		if (!strchr(JOB_NAME_CHARS, *c))
			*c = '_';
	if (!s->name[0] || !strcmp(path, "-"))
		snprintf(s->name, sizeof(s->name), "job");
	ret = ini_parse_stream(read_line, &r, on_entry, &r);
	free(buf);
	if (ret > 0) {
		char where[160];

		snprintf(where, sizeof(where), "%s:%d", path, ret);
		jobsrc_error(s, where, "", "", "syntax error: expected '[section]', 'key = value' "
			     "or a comment ('#' or ';')");
	}
	return s->nerr > nerr ? -1 : 0;
}

int jobfile_parse(const char *path, struct jobspec *js, char *err, size_t esz)
{
	struct job_src s;
	int ret;

	jobsrc_init(&s);
	/* Compiled even when reading found errors, so every problem is reported at once. */
	ret = jobsrc_load_file(&s, path);
	if (jobsrc_compile(&s, js) < 0)
		ret = -1;
	snprintf(err, esz, "%s", s.err);
	jobsrc_free(&s);
	return ret;
}
