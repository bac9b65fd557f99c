// SPDX-License-Identifier: GPL-2.0-only
#include "elf.h"
#include "errbuf.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_NEEDED 256
#define MAX_OBJECTS 1024
/* Debian's ld.so searches these after the cache (multiarch first). */
static const char *const default_dirs[] = {
	"/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib64", "/usr/lib64",
	"/lib", "/usr/lib",
};


/* One parsed object: what the search needs from it. Strings point into the mapping. */
struct obj {
	char path[PATH_MAX];
	int parent;		/* index of the object that needed it; -1 for the binary */
	unsigned char cls;	/* ELFCLASS64 */
	uint16_t machine;
	const char *interp;
	const char *needed[MAX_NEEDED];
	size_t nneeded;
	const char *rpath, *runpath;
	void *map;
	size_t maplen;
};

struct ident {
	unsigned char cls;
	uint16_t machine;
};

/* Maps path and checks it is an ELF we can read. Returns 1 ELF, 0 not ELF, -1 error. */
static int map_elf(const char *path, void **map, size_t *len, char *err, size_t errsz)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	void *m;

	*map = NULL;
	if (fd < 0) {
		seterr(err, errsz, "opening %s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) < 0) {
		seterr(err, errsz, "stat %s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	if (!S_ISREG(st.st_mode) || st.st_size < (off_t)sizeof(Elf64_Ehdr)) {
		close(fd);
		return 0;
	}
	m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (m == MAP_FAILED) {
		seterr(err, errsz, "mapping %s: %s", path, strerror(errno));
		return -1;
	}
	if (memcmp(m, ELFMAG, SELFMAG)) {
		munmap(m, (size_t)st.st_size);
		return 0;
	}
	*map = m;
	*len = (size_t)st.st_size;
	return 1;
}

static int vaddr_to_off(const uint8_t *m, size_t len, const Elf64_Ehdr *eh, uint64_t va,
			uint64_t *off)
{
	for (unsigned i = 0; i < eh->e_phnum; i++) {
		const Elf64_Phdr *ph = (const void *)(m + eh->e_phoff + (size_t)i * eh->e_phentsize);

		if (ph->p_type == PT_LOAD && va >= ph->p_vaddr && va - ph->p_vaddr < ph->p_filesz) {
			*off = ph->p_offset + (va - ph->p_vaddr);
			return *off < len ? 0 : -1;
		}
	}
	return -1;
}

/* Parses the program and dynamic headers of an ELF64 little-endian object. */
static int parse(struct obj *o, char *err, size_t errsz)
{
	const uint8_t *m = o->map;
	size_t len = o->maplen;
	const Elf64_Ehdr *eh = o->map;
	const Elf64_Dyn *dyn = NULL;
	size_t ndyn = 0;
	uint64_t strtab_va = 0, strsz = 0, stroff;
	uint64_t needed_off[MAX_NEEDED], rpath_off = UINT64_MAX, runpath_off = UINT64_MAX;
	size_t nneeded = 0;

	o->cls = m[EI_CLASS];
	if (o->cls != ELFCLASS64 || m[EI_DATA] != ELFDATA2LSB) {
		seterr(err, errsz, "%s: only 64-bit little-endian ELF objects are supported",
		       o->path);
		return -1;
	}
	o->machine = eh->e_machine;
	/* A relocatable object (a kernel module, a .o) is never run: no interpreter, no libraries. */
	if (eh->e_type == ET_REL)
		return 0;
	if (eh->e_phentsize != sizeof(Elf64_Phdr) || eh->e_phoff > len ||
	    (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr) > len - eh->e_phoff) {
		seterr(err, errsz, "%s: malformed ELF program headers", o->path);
		return -1;
	}
	for (unsigned i = 0; i < eh->e_phnum; i++) {
		const Elf64_Phdr *ph = (const void *)(m + eh->e_phoff + (size_t)i * sizeof(*ph));

		if (ph->p_offset > len || ph->p_filesz > len - ph->p_offset) {
			if (ph->p_type == PT_INTERP || ph->p_type == PT_DYNAMIC) {
				seterr(err, errsz, "%s: malformed ELF segment", o->path);
				return -1;
			}
			continue;
		}
		if (ph->p_type == PT_INTERP) {
			if (!ph->p_filesz || memchr(m + ph->p_offset, 0, ph->p_filesz) == NULL) {
				seterr(err, errsz, "%s: malformed PT_INTERP", o->path);
				return -1;
			}
			o->interp = (const char *)m + ph->p_offset;
		} else if (ph->p_type == PT_DYNAMIC) {
			dyn = (const void *)(m + ph->p_offset);
			ndyn = ph->p_filesz / sizeof(*dyn);
		}
	}
	for (size_t i = 0; i < ndyn && dyn[i].d_tag != DT_NULL; i++) {
		switch (dyn[i].d_tag) {
		case DT_STRTAB:
			strtab_va = dyn[i].d_un.d_ptr;
			break;
		case DT_STRSZ:
			strsz = dyn[i].d_un.d_val;
			break;
		case DT_NEEDED:
			if (nneeded == MAX_NEEDED) {
				seterr(err, errsz, "%s: more than %d DT_NEEDED entries", o->path,
				       MAX_NEEDED);
				return -1;
			}
			needed_off[nneeded++] = dyn[i].d_un.d_val;
			break;
		case DT_RPATH:
			rpath_off = dyn[i].d_un.d_val;
			break;
		case DT_RUNPATH:
			runpath_off = dyn[i].d_un.d_val;
			break;
		}
	}
	if (!nneeded && rpath_off == UINT64_MAX && runpath_off == UINT64_MAX)
		return 0;
	if (!strtab_va || vaddr_to_off(m, len, eh, strtab_va, &stroff) < 0 || strsz > len - stroff) {
		seterr(err, errsz, "%s: malformed dynamic string table", o->path);
		return -1;
	}
#define STR(off, dst)                                                                   \
	do {                                                                            \
		if ((off) >= strsz || !memchr(m + stroff + (off), 0, strsz - (off))) {   \
			seterr(err, errsz, "%s: dynamic string out of bounds", o->path); \
			return -1;                                                      \
		}                                                                       \
		dst = (const char *)m + stroff + (off);                                 \
	} while (0)
	for (size_t i = 0; i < nneeded; i++)
		STR(needed_off[i], o->needed[i]);
	o->nneeded = nneeded;
	if (rpath_off != UINT64_MAX)
		STR(rpath_off, o->rpath);
	if (runpath_off != UINT64_MAX)
		STR(runpath_off, o->runpath);
#undef STR
	return 0;
}

static int is_name_char(char c)
{
	return c == '_' || (c >= '0' && c <= '9') || ((c | 32) >= 'a' && (c | 32) <= 'z');
}

/* Expands $ORIGIN, $LIB, $PLATFORM (also in ${} form) in one search-path element. */
static int expand(const char *elem, size_t n, const char *origin, char *out, size_t outsz)
{
	static const struct {
		const char *name;
		const char *val;
	} vars[] = { { "ORIGIN", NULL }, { "LIB", "lib/x86_64-linux-gnu" },
		     { "PLATFORM", "x86_64" } };
	size_t o = 0;

	for (size_t i = 0; i < n;) {
		const char *val = NULL;
		size_t skip = 0;

		if (elem[i] == '$') {
			for (size_t v = 0; v < sizeof(vars) / sizeof(vars[0]) && !val; v++) {
				size_t l = strlen(vars[v].name);

				if (i + 1 + l <= n && !strncmp(elem + i + 1, vars[v].name, l) &&
				    (i + 1 + l == n || !is_name_char(elem[i + 1 + l]))) {
					skip = 1 + l;
				} else if (i + 3 + l <= n && elem[i + 1] == '{' &&
					   !strncmp(elem + i + 2, vars[v].name, l) &&
					   elem[i + 2 + l] == '}') {
					skip = 3 + l;
				}
				if (skip)
					val = vars[v].val ? vars[v].val : origin;
			}
		}
		if (val) {
			size_t l = strlen(val);

			if (o + l >= outsz)
				return -1;
			memcpy(out + o, val, l);
			o += l;
			i += skip;
		} else {
			if (o + 1 >= outsz)
				return -1;
			out[o++] = elem[i++];
		}
	}
	out[o] = '\0';
	return 0;
}

/* Does path hold an ELF object compatible with id? */
static int compatible(const char *path, const struct ident *id)
{
	unsigned char h[sizeof(Elf64_Ehdr)];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return 0;
	n = read(fd, h, sizeof(h));
	close(fd);
	if (n < (ssize_t)sizeof(Elf64_Ehdr) || memcmp(h, ELFMAG, SELFMAG))
		return 0;
	return h[EI_CLASS] == id->cls && ((const Elf64_Ehdr *)(const void *)h)->e_machine == id->machine;
}

/* Searches a colon-separated path list. */
static int search_list(const char *list, const char *origin, const char *name,
		       const struct ident *id, char *out, size_t outsz)
{
	const char *p = list;

	while (p && *p) {
		size_t n = strcspn(p, ":;");
		char dir[PATH_MAX];

		/* An empty element means the current directory, as in ld.so. */
		if (expand(p, n, origin, dir, sizeof(dir)) == 0 &&
		    (size_t)snprintf(out, outsz, "%s/%s", n ? dir : ".", name) < outsz &&
		    compatible(out, id))
			return 0;
		p += n;
		if (*p)
			p++;
	}
	return -1;
}

static void load_cache(struct elf_resolver *r)
{
	const char *path = r->ld_cache ? r->ld_cache : "/etc/ld.so.cache";
	int fd;
	struct stat st;

	r->cache_loaded = 1;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;	/* no cache: ld.so searches the default directories */
	if (fstat(fd, &st) == 0 && st.st_size > 48) {
		void *m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);

		if (m != MAP_FAILED) {
			r->cache_map = m;
			r->cache_len = (size_t)st.st_size;
		}
	}
	close(fd);
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Looks name up in glibc's ld.so.cache ("glibc-ld.so.cache1.1", maybe after the old format). */
static int search_cache(struct elf_resolver *r, const char *name, const struct ident *id,
			char *out, size_t outsz)
{
	const uint8_t *base, *m;
	size_t len, off = 0;
	uint32_t nlibs;

	if (!r->cache_loaded)
		load_cache(r);
	m = r->cache_map;
	len = r->cache_len;
	if (!m)
		return -1;
	if (len > 16 && !memcmp(m, "ld.so-1.7.0", 11)) {
		off = 16 + (size_t)le32(m + 12) * 12;
		off = (off + 7) & ~(size_t)7;
	}
	if (off > len || len - off < 48 || memcmp(m + off, "glibc-ld.so.cache1.1", 20))
		return -1;
	base = m + off;
	len -= off;
	nlibs = le32(base + 20);
	if ((uint64_t)nlibs * 24 > len - 48)
		return -1;
	for (uint32_t i = 0; i < nlibs; i++) {
		const uint8_t *e = base + 48 + (size_t)i * 24;
		uint32_t flags = le32(e), key = le32(e + 4), val = le32(e + 8);

		/* FLAG_ELF_LIBC6 with FLAG_X8664_LIB64 on this x86-64 host */
		if ((flags & 0xff) != 3 || (id->machine == EM_X86_64 && (flags & 0xff00) != 0x0300))
			continue;
		if (key >= len || val >= len || !memchr(base + key, 0, len - key) ||
		    !memchr(base + val, 0, len - val))
			continue;
		if (strcmp((const char *)base + key, name))
			continue;
		if ((size_t)snprintf(out, outsz, "%s", (const char *)base + val) < outsz &&
		    compatible(out, id))
			return 0;
	}
	return -1;
}

static int find_lib(struct elf_resolver *r, struct obj *objs, int self, const char *name,
		    char *out, size_t outsz)
{
	const struct obj *o = &objs[self];
	struct ident id = { o->cls, o->machine };
	char origin[PATH_MAX];
	const char *slash;

	if (strchr(name, '/')) {
		snprintf(out, outsz, "%s", name);
		return compatible(out, &id) ? 0 : -1;
	}
	/* DT_RPATH applies only without DT_RUNPATH: the object's, then up to the binary's. */
	if (!o->runpath) {
		for (int i = self; i >= 0; i = objs[i].parent) {
			if (!objs[i].rpath || objs[i].runpath)
				continue;
			slash = strrchr(objs[i].path, '/');
			snprintf(origin, sizeof(origin), "%.*s", (int)(slash - objs[i].path),
				 objs[i].path);
			if (search_list(objs[i].rpath, origin, name, &id, out, outsz) == 0)
				return 0;
		}
	}
	slash = strrchr(o->path, '/');
	snprintf(origin, sizeof(origin), "%.*s", (int)(slash - o->path), o->path);
	if (r->ld_library_path && search_list(r->ld_library_path, origin, name, &id, out, outsz) == 0)
		return 0;
	if (o->runpath && search_list(o->runpath, origin, name, &id, out, outsz) == 0)
		return 0;
	if (search_cache(r, name, &id, out, outsz) == 0)
		return 0;
	for (size_t i = 0; i < sizeof(default_dirs) / sizeof(default_dirs[0]); i++)
		if ((size_t)snprintf(out, outsz, "%s/%s", default_dirs[i], name) < outsz &&
		    compatible(out, &id))
			return 0;
	return -1;
}

static int add_dep(struct elf_deps *d, const char *path)
{
	char **np;

	for (size_t i = 0; i < d->n; i++)
		if (!strcmp(d->paths[i], path))
			return 0;
	np = realloc(d->paths, (d->n + 1) * sizeof(*np));
	if (!np)
		return -1;
	d->paths = np;
	d->paths[d->n] = strdup(path);
	if (!d->paths[d->n])
		return -1;
	d->n++;
	return 0;
}

/* Absolute, symlink-free path of an object, the base of its $ORIGIN (as ld.so does). */
static int real_path(const char *path, char *out, char *err, size_t errsz)
{
	if (!realpath(path, out)) {
		seterr(err, errsz, "%s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

int elf_resolve(struct elf_resolver *r, const char *binary, struct elf_deps *deps,
		char *err, size_t errsz)
{
	/* Grown on demand: a typical binary needs a handful, and every warm cache hit pays
	 * for zeroing what is allocated here. */
	int nobj = 0, cap = 16, ret = -1;
	struct obj *objs = calloc((size_t)cap, sizeof(*objs));
	char found[PATH_MAX], real[PATH_MAX];

	if (!objs) {
		seterr(err, errsz, "out of memory resolving %s", binary);
		return -1;
	}
	if (real_path(binary, objs[0].path, err, errsz) < 0)
		goto out;
	objs[0].parent = -1;
	{
		int k = map_elf(objs[0].path, &objs[0].map, &objs[0].maplen, err, errsz);

		if (k <= 0) {	/* not ELF: nothing to add */
			ret = k;
			goto out;
		}
	}
	nobj = 1;
	if (parse(&objs[0], err, errsz) < 0)
		goto out;
	if (objs[0].interp) {
		if (access(objs[0].interp, R_OK) < 0) {
			seterr(err, errsz, "%s: its interpreter %s: %s", binary, objs[0].interp,
			       strerror(errno));
			goto out;
		}
		if (add_dep(deps, objs[0].interp) < 0)
			goto oom;
	}
	/* Breadth-first, like ld.so's load order; each library once. */
	for (int i = 0; i < nobj; i++) {
		for (size_t k = 0; k < objs[i].nneeded; k++) {
			const char *name = objs[i].needed[k];
			int seen = 0;

			if (find_lib(r, objs, i, name, found, sizeof(found)) < 0) {
				if (i == 0)
					seterr(err, errsz, "%s needs %s, which was not found",
					       binary, name);
				else
					seterr(err, errsz, "%s needs %s (through %s), which was not found",
					       binary, name, objs[i].path);
				goto out;
			}
			if (real_path(found, real, err, errsz) < 0)
				goto out;
			for (int j = 0; j < nobj && !seen; j++)
				seen = !strcmp(objs[j].path, real);
			if (add_dep(deps, found) < 0)
				goto oom;
			if (seen)
				continue;
			if (nobj == MAX_OBJECTS) {
				seterr(err, errsz, "%s: more than %d libraries", binary, MAX_OBJECTS);
				goto out;
			}
			if (nobj == cap) {
				struct obj *more = realloc(objs, 2 * (size_t)cap * sizeof(*objs));

				if (!more)
					goto oom;
				memset(more + cap, 0, (size_t)cap * sizeof(*objs));
				objs = more;
				cap *= 2;
			}
			memcpy(objs[nobj].path, real, sizeof(real));
			objs[nobj].parent = i;
			{
				int k = map_elf(real, &objs[nobj].map, &objs[nobj].maplen, err,
						errsz);

				if (k == 0)
					seterr(err, errsz, "%s needs %s, but %s is not ELF", binary,
					       name, found);
				if (k <= 0)
					goto out;
			}
			nobj++;
			if (parse(&objs[nobj - 1], err, errsz) < 0)
				goto out;
		}
	}
	ret = 0;
	goto out;
oom:
	seterr(err, errsz, "out of memory resolving %s", binary);
out:
	for (int i = 0; i < cap && i <= nobj; i++)
		if (objs[i].map)
			munmap(objs[i].map, objs[i].maplen);
	free(objs);
	return ret;
}

void elf_deps_free(struct elf_deps *d)
{
	for (size_t i = 0; i < d->n; i++)
		free(d->paths[i]);
	free(d->paths);
	d->paths = NULL;
	d->n = 0;
}

void elf_resolver_free(struct elf_resolver *r)
{
	if (r->cache_map)
		munmap(r->cache_map, r->cache_len);
	r->cache_map = NULL;
	r->cache_loaded = 0;
}
