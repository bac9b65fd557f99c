// SPDX-License-Identifier: GPL-2.0-only
#include "cpio.h"
#include "errbuf.h"
#include "xxh_fast.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

static void pad4(struct kt_wbuf *w)
{
	static const uint8_t zero[4];

	kt_put_bytes(w, zero, (4 - (w->len & 3)) & 3);
}

static int add_ino(struct cpio *c, uint32_t ino, const char *path, mode_t mode, unsigned rmaj,
		   unsigned rmin, const void *data, size_t len)
{
	char hdr[111];
	size_t namesz = strlen(path) + 1;

	if (len > 0xffffffffu || namesz > 4096)
		return -1;
	/* newc: magic, ino, mode, uid, gid, nlink, mtime, filesize, devmaj, devmin,
	 * rdevmaj, rdevmin, namesize, check; all 8-digit hex. */
	snprintf(hdr, sizeof(hdr),
		 "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X",
		 ino, (unsigned)mode, 0u, 0u, S_ISDIR(mode) ? 2u : 1u, 0u,
		 (unsigned)len, 0u, 0u, rmaj, rmin, (unsigned)namesz, 0u);
	kt_put_bytes(&c->out, hdr, 110);
	kt_put_bytes(&c->out, path, namesz);
	pad4(&c->out);
	kt_put_bytes(&c->out, data, len);
	pad4(&c->out);
	return c->out.oom ? -1 : 0;
}

static int add(struct cpio *c, const char *path, mode_t mode, unsigned rmaj, unsigned rmin,
	       const void *data, size_t len)
{
	return add_ino(c, ++c->ino, path, mode, rmaj, rmin, data, len);
}

int cpio_add_dir(struct cpio *c, const char *path, mode_t perm)
{
	return add(c, path, S_IFDIR | (perm & 07777), 0, 0, NULL, 0);
}

int cpio_add_file(struct cpio *c, const char *path, mode_t perm, const void *data, size_t len)
{
	return add(c, path, S_IFREG | (perm & 07777), 0, 0, data, len);
}

int cpio_add_symlink(struct cpio *c, const char *path, const char *target)
{
	return add(c, path, S_IFLNK | 0777, 0, 0, target, strlen(target));
}

int cpio_add_chardev(struct cpio *c, const char *path, mode_t perm, unsigned maj, unsigned min)
{
	return add(c, path, S_IFCHR | (perm & 07777), maj, min, NULL, 0);
}

int cpio_finish(struct cpio *c)
{
	return add_ino(c, 0, "TRAILER!!!", 0, 0, 0, NULL, 0);
}

void cpio_free(struct cpio *c)
{
	kt_wbuf_free(&c->out);
	c->ino = 0;
}

/* ---- deterministic tree ---- */

#define MAX_SYMLINK_HOPS 40


/*
 * Lexically normalises an archive path into out: no leading '/', no empty or '.'
 * components; '..' pops a component (and is an error at the root when !allow_above).
 */
static int norm_path(const char *in, char *out, size_t outsz)
{
	size_t o = 0;
	const char *p = in;

	out[0] = '\0';
	while (*p) {
		const char *s;
		size_t n;

		while (*p == '/')
			p++;
		s = p;
		while (*p && *p != '/')
			p++;
		n = (size_t)(p - s);
		if (n == 0 || (n == 1 && s[0] == '.'))
			continue;
		if (n == 2 && s[0] == '.' && s[1] == '.') {
			char *slash;

			if (o == 0)
				return -1;
			slash = memrchr(out, '/', o);
			o = slash ? (size_t)(slash - out) : 0;
			out[o] = '\0';
			continue;
		}
		if (o + (o ? 1 : 0) + n + 1 > outsz)
			return -1;
		if (o)
			out[o++] = '/';
		memcpy(out + o, s, n);
		o += n;
		out[o] = '\0';
	}
	return o ? 0 : -1;
}

static struct cpio_entry *new_entry(struct cpio_tree *t, const char *path, mode_t mode,
				    char *err, size_t errsz)
{
	char norm[PATH_MAX];
	struct cpio_entry *e;

	if (norm_path(path, norm, sizeof(norm)) < 0) {
		seterr(err, errsz, "'%s' is not a valid path inside the archive", path);
		return NULL;
	}
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 64;
		struct cpio_entry *ne = realloc(t->e, cap * sizeof(*ne));

		if (!ne)
			goto oom;
		t->e = ne;
		t->cap = cap;
	}
	e = &t->e[t->n];
	memset(e, 0, sizeof(*e));
	e->path = strdup(norm);
	if (!e->path)
		goto oom;
	e->mode = mode;
	e->order = t->n++;
	t->final = 0;
	return e;
oom:
	seterr(err, errsz, "out of memory adding %s to the archive", path);
	return NULL;
}

int cpio_tree_add_dir(struct cpio_tree *t, const char *path, mode_t perm, char *err, size_t errsz)
{
	return new_entry(t, path, S_IFDIR | (perm & 07777), err, errsz) ? 0 : -1;
}

static int set_data(struct cpio_tree *t, struct cpio_entry *e, const void *data, size_t len,
		    int nul, char *err, size_t errsz)
{
	e->data = malloc(len + (size_t)nul + 1);
	if (!e->data) {
		seterr(err, errsz, "out of memory adding %s to the archive", e->path);
		free(e->path);
		t->n--;
		return -1;
	}
	if (len)
		memcpy(e->data, data, len);
	((char *)e->data)[len] = '\0';
	e->len = len;
	return 0;
}

int cpio_tree_add_bytes(struct cpio_tree *t, const char *path, mode_t perm, const void *data,
			size_t len, char *err, size_t errsz)
{
	struct cpio_entry *e = new_entry(t, path, S_IFREG | (perm & 07777), err, errsz);

	if (!e)
		return -1;
	if (len > 0xffffffffu) {
		seterr(err, errsz, "%s: %zu bytes is more than a newc entry holds", path, len);
		free(e->path);
		t->n--;
		return -1;
	}
	return set_data(t, e, data, len, 0, err, errsz);
}

int cpio_tree_add_symlink(struct cpio_tree *t, const char *path, const char *target,
			  char *err, size_t errsz)
{
	struct cpio_entry *e = new_entry(t, path, S_IFLNK | 0777, err, errsz);

	if (!e)
		return -1;
	return set_data(t, e, target, strlen(target), 1, err, errsz);
}

int cpio_tree_add_chardev(struct cpio_tree *t, const char *path, mode_t perm, unsigned maj,
			  unsigned min, char *err, size_t errsz)
{
	struct cpio_entry *e = new_entry(t, path, S_IFCHR | (perm & 07777), err, errsz);

	if (!e)
		return -1;
	e->rmaj = maj;
	e->rmin = min;
	return 0;
}

int cpio_tree_add_host(struct cpio_tree *t, const char *path, int perm, const char *host,
		       char *err, size_t errsz)
{
	struct cpio_entry *e;
	struct stat st;

	if (stat(host, &st) < 0) {
		seterr(err, errsz, "%s: %s", host, strerror(errno));
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		seterr(err, errsz, "%s is not a regular file", host);
		return -1;
	}
	if ((uint64_t)st.st_size > 0xffffffffu) {
		seterr(err, errsz, "%s: %lld bytes is more than a newc entry holds", host,
		       (long long)st.st_size);
		return -1;
	}
	e = new_entry(t, path, S_IFREG | ((perm < 0 ? st.st_mode : (mode_t)perm) & 07777), err,
		      errsz);
	if (!e)
		return -1;
	e->host = strdup(host);
	if (!e->host) {
		seterr(err, errsz, "out of memory adding %s", host);
		free(e->path);
		t->n--;
		return -1;
	}
	e->len = (size_t)st.st_size;
	e->dev = st.st_dev;
	e->ino = st.st_ino;
	e->mtime_ns = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
	e->ctime_ns = (int64_t)st.st_ctim.tv_sec * 1000000000 + st.st_ctim.tv_nsec;
	return 0;
}

int cpio_tree_add_host_path(struct cpio_tree *t, const char *abs_host, char *err, size_t errsz)
{
	char cur[PATH_MAX], rest[PATH_MAX], next[2 * PATH_MAX + 2];
	int hops = 0;

	if (abs_host[0] != '/' || strlen(abs_host) >= sizeof(rest)) {
		seterr(err, errsz, "'%s' is not an absolute path", abs_host);
		return -1;
	}
	snprintf(rest, sizeof(rest), "%s", abs_host);
	cur[0] = '\0';	/* the part resolved so far, free of symlinks, "" = root */
	for (;;) {
		char *p = rest, comp[NAME_MAX + 1], cand[PATH_MAX], tgt[PATH_MAX];
		struct stat st;
		size_t n;
		ssize_t tl;

		while (*p == '/')
			p++;
		n = strcspn(p, "/");
		if (n == 0)
			break;
		if (n > NAME_MAX) {
			seterr(err, errsz, "%s: a path component is too long", abs_host);
			return -1;
		}
		memcpy(comp, p, n);
		comp[n] = '\0';
		memmove(rest, p + n, strlen(p + n) + 1);
		if (!strcmp(comp, "."))
			continue;
		if (!strcmp(comp, "..")) {
			char *slash = strrchr(cur, '/');

			if (slash)
				*slash = '\0';
			continue;
		}
		if ((size_t)snprintf(cand, sizeof(cand), "%s/%s", cur, comp) >= sizeof(cand)) {
			seterr(err, errsz, "%s: path too long", abs_host);
			return -1;
		}
		if (lstat(cand, &st) < 0) {
			seterr(err, errsz, "%s: %s", cand, strerror(errno));
			return -1;
		}
		if (S_ISLNK(st.st_mode)) {
			if (++hops > MAX_SYMLINK_HOPS) {
				seterr(err, errsz, "%s: too many levels of symbolic links", abs_host);
				return -1;
			}
			tl = readlink(cand, tgt, sizeof(tgt) - 1);
			if (tl < 0) {
				seterr(err, errsz, "readlink %s: %s", cand, strerror(errno));
				return -1;
			}
			tgt[tl] = '\0';
			if (cpio_tree_add_symlink(t, cand, tgt, err, errsz) < 0)
				return -1;
			/* Continue from the link's target, then what was left of the path. */
			snprintf(next, sizeof(next), "%s/%s", tgt[0] == '/' ? "" : cur, tgt);
			if (strlen(next) + strlen(rest) + 1 >= sizeof(rest)) {
				seterr(err, errsz, "%s: path too long after resolving links",
				       abs_host);
				return -1;
			}
			strcat(next, rest);
			memcpy(rest, next, strlen(next) + 1);	/* fits: checked above */
			cur[0] = '\0';
			continue;
		}
		if (rest[strspn(rest, "/")] == '\0') {	/* the last component */
			if (S_ISDIR(st.st_mode))
				return cpio_tree_add_dir(t, cand, st.st_mode, err, errsz);
			return cpio_tree_add_host(t, cand, -1, cand, err, errsz);
		}
		if (!S_ISDIR(st.st_mode)) {
			seterr(err, errsz, "%s: %s is not a directory", abs_host, cand);
			return -1;
		}
		memcpy(cur, cand, sizeof(cur));
	}
	seterr(err, errsz, "'%s' names the root directory", abs_host);
	return -1;
}

static int cmp_entry(const void *a, const void *b)
{
	const struct cpio_entry *x = a, *y = b;
	int c = strcmp(x->path, y->path);

	if (c)
		return c;
	return x->order < y->order ? -1 : x->order > y->order;
}

/* First entry with this path among the first n (sorted) entries. */
static struct cpio_entry *find_n(struct cpio_tree *t, size_t n, const char *path)
{
	struct cpio_entry *lo = t->e, *end = t->e + n;

	while (n) {
		size_t half = n / 2;

		if (strcmp(lo[half].path, path) < 0) {
			lo += half + 1;
			n -= half + 1;
		} else {
			n = half;
		}
	}
	return lo < end && !strcmp(lo->path, path) ? lo : NULL;
}

static struct cpio_entry *find(struct cpio_tree *t, const char *path)
{
	return find_n(t, t->n, path);
}

/*
 * Rewrites the entry's path so that no parent component is a symlink of the archive:
 * lib/modules/x with lib -> usr/lib becomes usr/lib/modules/x, as the kernel would
 * otherwise refuse to create x beneath a symlink. Returns 1 if rewritten.
 */
static int resolve_parents(struct cpio_tree *t, struct cpio_entry *e, char *err, size_t errsz)
{
	char buf[2 * PATH_MAX + 2], norm[PATH_MAX], prefix[PATH_MAX];
	int hops = 0, changed = 0;

again:
	for (const char *s = strchr(e->path, '/'); s; s = strchr(s + 1, '/')) {
		size_t plen = (size_t)(s - e->path);
		struct cpio_entry *l;
		const char *dir;

		/* A copy: e->path itself must not change while the table is searched. */
		memcpy(prefix, e->path, plen);
		prefix[plen] = '\0';
		l = find(t, prefix);
		if (!l || !S_ISLNK(l->mode))
			continue;
		if (++hops > MAX_SYMLINK_HOPS) {
			seterr(err, errsz, "%s: too many levels of symbolic links", e->path);
			return -1;
		}
		dir = strrchr(prefix, '/');
		if (((char *)l->data)[0] == '/' || !dir)
			snprintf(buf, sizeof(buf), "%s/%s", (char *)l->data, s + 1);
		else
			snprintf(buf, sizeof(buf), "%.*s/%s/%s", (int)(dir - prefix), prefix,
				 (char *)l->data, s + 1);
		if (norm_path(buf, norm, sizeof(norm)) < 0) {
			seterr(err, errsz, "%s: symlink %s leads outside the archive", e->path,
			       l->path);
			return -1;
		}
		free(e->path);
		e->path = strdup(norm);
		if (!e->path) {
			seterr(err, errsz, "out of memory");
			return -1;
		}
		changed = 1;
		goto again;
	}
	return changed;
}

static int same_content(const struct cpio_entry *a, const struct cpio_entry *b)
{
	if (a->mode != b->mode)
		return 0;
	if (S_ISDIR(a->mode))
		return 1;
	if (S_ISCHR(a->mode))
		return a->rmaj == b->rmaj && a->rmin == b->rmin;
	if (a->host || b->host)
		return a->host && b->host && a->dev == b->dev && a->ino == b->ino;
	return a->len == b->len && !memcmp(a->data, b->data, a->len);
}

static void free_entry(struct cpio_entry *e)
{
	if (e->map)
		munmap((void *)e->map, e->len);
	free(e->path);
	free(e->host);
	free(e->data);
}

static int cmp_link(const void *a, const void *b)
{
	const struct cpio_entry *x = *(struct cpio_entry *const *)a;
	const struct cpio_entry *y = *(struct cpio_entry *const *)b;

	if (x->dev != y->dev)
		return x->dev < y->dev ? -1 : 1;
	if (x->ino != y->ino)
		return x->ino < y->ino ? -1 : 1;
	return strcmp(x->path, y->path);
}

int cpio_tree_finalize(struct cpio_tree *t, char *err, size_t errsz)
{
	struct cpio_entry **hosts;
	size_t n0, nh = 0;
	int changed;

	if (t->final)
		return 0;
	/* Resolve through archive symlinks until stable (rewrites can expose new parents). */
	do {
		changed = 0;
		qsort(t->e, t->n, sizeof(*t->e), cmp_entry);
		for (size_t i = 0; i < t->n && !changed; i++) {
			int r = resolve_parents(t, &t->e[i], err, errsz);

			if (r < 0)
				return -1;
			changed = r;	/* the table is no longer sorted: sort, go again */
		}
	} while (changed);

	/*
	 * Missing parents become 0755 directories. Looked up among the original (sorted)
	 * entries only; parents added twice are merged below.
	 */
	n0 = t->n;
	for (size_t i = 0; i < n0; i++) {
		char *p = strdup(t->e[i].path);

		if (!p) {
			seterr(err, errsz, "out of memory");
			return -1;
		}
		for (char *s = strrchr(p, '/'); s; s = strrchr(p, '/')) {
			struct cpio_entry *d;

			*s = '\0';
			d = find_n(t, n0, p);
			if (d && !S_ISDIR(d->mode)) {
				seterr(err, errsz, "%s needs %s to be a directory, but it is %s",
				       t->e[i].path, p, S_ISLNK(d->mode) ? "a symlink" : "a file");
				free(p);
				return -1;
			}
			if (d)
				break;
			if (!new_entry(t, p, S_IFDIR | 0755, err, errsz)) {
				free(p);
				return -1;
			}
		}
		free(p);
	}
	qsort(t->e, t->n, sizeof(*t->e), cmp_entry);

	/* Duplicates: identical ones merge, different ones are an error. */
	for (size_t i = 1; i < t->n;) {
		struct cpio_entry *a = &t->e[i - 1], *b = &t->e[i];

		if (strcmp(a->path, b->path)) {
			i++;
			continue;
		}
		if (!same_content(a, b)) {
			seterr(err, errsz, "%s is added twice with different contents or modes",
			       a->path);
			return -1;
		}
		free_entry(b);
		memmove(b, b + 1, (t->n - i - 1) * sizeof(*b));
		t->n--;
	}

	/* Numbering in path order; host files sharing an inode become one hard-link group. */
	for (size_t i = 0; i < t->n; i++) {
		t->e[i].out_ino = (uint32_t)i + 1;
		t->e[i].nlink = S_ISDIR(t->e[i].mode) ? 2 : 1;
		t->e[i].carries_data = 1;
		nh += t->e[i].host != NULL;
	}
	hosts = malloc((nh ? nh : 1) * sizeof(*hosts));
	if (!hosts) {
		seterr(err, errsz, "out of memory");
		return -1;
	}
	nh = 0;
	for (size_t i = 0; i < t->n; i++)
		if (t->e[i].host)
			hosts[nh++] = &t->e[i];
	qsort(hosts, nh, sizeof(*hosts), cmp_link);
	for (size_t i = 0; i < nh;) {
		size_t j = i + 1;

		while (j < nh && hosts[j]->dev == hosts[i]->dev && hosts[j]->ino == hosts[i]->ino)
			j++;
		/* GNU cpio's convention, which the kernel also accepts: data on the last. */
		for (size_t k = i; k < j; k++) {
			hosts[k]->out_ino = hosts[i]->out_ino;
			hosts[k]->nlink = (uint32_t)(j - i);
			hosts[k]->carries_data = 0;
		}
		{
			struct cpio_entry *last = hosts[i];

			for (size_t k = i; k < j; k++)
				if (strcmp(hosts[k]->path, last->path) > 0)
					last = hosts[k];
			last->carries_data = 1;
		}
		i = j;
	}
	free(hosts);
	t->final = 1;
	return 0;
}

static size_t pad4up(size_t n)
{
	return (n + 3) & ~(size_t)3;
}

static size_t entry_size(const char *path, size_t datalen)
{
	return pad4up(110 + strlen(path) + 1) + pad4up(datalen);
}

static size_t data_len(const struct cpio_entry *e)
{
	if (S_ISDIR(e->mode) || S_ISCHR(e->mode) || !e->carries_data)
		return 0;
	return e->len;
}

size_t cpio_tree_size(const struct cpio_tree *t)
{
	size_t sz = entry_size("TRAILER!!!", 0);

	for (size_t i = 0; i < t->n; i++)
		sz += entry_size(t->e[i].path, data_len(&t->e[i]));
	return sz;
}

static uint8_t *put_hdr(uint8_t *p, uint32_t ino, uint32_t mode, uint32_t nlink, size_t len,
			unsigned rmaj, unsigned rmin, const char *path)
{
	char hdr[111];
	size_t namesz = strlen(path) + 1, pad;

	snprintf(hdr, sizeof(hdr),
		 "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X",
		 ino, mode, 0u, 0u, nlink, 0u, (unsigned)len, 0u, 0u, rmaj, rmin,
		 (unsigned)namesz, 0u);
	memcpy(p, hdr, 110);
	memcpy(p + 110, path, namesz);
	pad = pad4up(110 + namesz) - (110 + namesz);
	memset(p + 110 + namesz, 0, pad);
	return p + 110 + namesz + pad;
}

int cpio_entry_map(struct cpio_entry *e, char *err, size_t errsz)
{
	struct stat st;
	void *m;
	int fd;

	if (e->map || !e->len)
		return 0;
	fd = open(e->host, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		seterr(err, errsz, "opening %s: %s", e->host, strerror(errno));
		return -1;
	}
	/* The stamps recorded when it was added key the digest memo: they must still hold. */
	if (fstat(fd, &st) < 0 || (size_t)st.st_size != e->len || st.st_ino != e->ino ||
	    (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec != e->mtime_ns ||
	    (int64_t)st.st_ctim.tv_sec * 1000000000 + st.st_ctim.tv_nsec != e->ctime_ns) {
		seterr(err, errsz, "%s changed while being packed", e->host);
		close(fd);
		return -1;
	}
	m = mmap(NULL, e->len, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
	close(fd);
	if (m == MAP_FAILED) {
		seterr(err, errsz, "mapping %s: %s", e->host, strerror(errno));
		return -1;
	}
	e->map = m;
	return 0;
}

static int copy_host(struct cpio_entry *e, uint8_t *dst, char *err, size_t errsz)
{
	if (cpio_entry_map(e, err, errsz) < 0)
		return -1;
	memcpy(dst, e->map, e->len);
	/* What was keyed is what is packed: a file changed in between is an error. */
	if (e->have_digest) {
		XXH128_canonical_t c;

		XXH128_canonicalFromHash(&c, xxh_fast_128(dst, e->len));
		if (memcmp(c.digest, e->digest, 16)) {
			seterr(err, errsz, "%s changed while being packed", e->host);
			return -1;
		}
	}
	return 0;
}

int cpio_tree_write(struct cpio_tree *t, uint8_t *buf, char *err, size_t errsz)
{
	uint8_t *p = buf;

	if (!t->final) {
		seterr(err, errsz, "internal error: archive written before finalize");
		return -1;
	}
	for (size_t i = 0; i < t->n; i++) {
		struct cpio_entry *e = &t->e[i];
		size_t len = data_len(e);

		p = put_hdr(p, e->out_ino, (uint32_t)e->mode, e->nlink, len, e->rmaj, e->rmin,
			    e->path);
		if (len && e->host) {
			if (copy_host(e, p, err, errsz) < 0)
				return -1;
		} else if (len) {
			memcpy(p, e->data, len);
		}
		memset(p + len, 0, pad4up(len) - len);
		p += pad4up(len);
	}
	put_hdr(p, 0, 0, 1, 0, 0, 0, "TRAILER!!!");
	return 0;
}

void cpio_tree_free(struct cpio_tree *t)
{
	for (size_t i = 0; i < t->n; i++)
		free_entry(&t->e[i]);
	free(t->e);
	memset(t, 0, sizeof(*t));
}
