// SPDX-License-Identifier: GPL-2.0-only
/*
 * --modules: which .ko files a run needs, found with libkmod (lookup by name or alias,
 * modules.builtin, modules.dep) rather than by parsing those files here.
 */
#include "kmod.h"
#include "dl.h"
#include "util.h"
#include "../shared/xxh.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <libkmod.h>
#include <limits.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

/* libkmod, loaded on the first --modules lookup (dl.h). */
static struct {
	KT_DLFN(kmod_new);
	KT_DLFN(kmod_unref);
	KT_DLFN(kmod_set_log_fn);
	KT_DLFN(kmod_list_next);
	KT_DLFN(kmod_module_new_from_lookup);
	KT_DLFN(kmod_module_get_module);
	KT_DLFN(kmod_module_get_name);
	KT_DLFN(kmod_module_get_path);
	KT_DLFN(kmod_module_get_dependencies);
	KT_DLFN(kmod_module_get_softdeps);
	KT_DLFN(kmod_module_unref);
	KT_DLFN(kmod_module_unref_list);
} lk;

static int load_libkmod(void)
{
	static const struct kt_dlsym syms[] = {
		KT_DLSYM(lk, kmod_new),
		KT_DLSYM(lk, kmod_unref),
		KT_DLSYM(lk, kmod_set_log_fn),
		KT_DLSYM(lk, kmod_list_next),
		KT_DLSYM(lk, kmod_module_new_from_lookup),
		KT_DLSYM(lk, kmod_module_get_module),
		KT_DLSYM(lk, kmod_module_get_name),
		KT_DLSYM(lk, kmod_module_get_path),
		KT_DLSYM(lk, kmod_module_get_dependencies),
		KT_DLSYM(lk, kmod_module_get_softdeps),
		KT_DLSYM(lk, kmod_module_unref),
		KT_DLSYM(lk, kmod_module_unref_list),
	};
	static struct kt_dllib lib = { "libkmod.so.2", "--modules", syms,
				       sizeof(syms) / sizeof(syms[0]), 0 };

	return kt_dlload(&lib);
}

static int exists(const char *dir, const char *name)
{
	char p[PATH_MAX + 64];

	kt_pathf(p, sizeof(p), "%s/%s", dir, name);
	return access(p, F_OK) == 0;
}

static int rm_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st, (void)ftw;
	if ((type == FTW_DP ? rmdir(path) : unlink(path)) < 0 && errno != ENOENT)
		kt_note("removing %s: %s", path, strerror(errno));
	return 0;
}

static void rm_rf(const char *path)
{
	nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static int copy_file(const char *from, const char *to)
{
	size_t len;
	void *buf = kt_read_file(from, 256u << 20, &len);
	int fd, ret = -1;

	if (!buf) {
		kt_err("reading %s: %s", from, strerror(errno));
		return -1;
	}
	fd = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		kt_err("creating %s: %s", to, strerror(errno));
	else if (kt_write_all(fd, buf, len) < 0 || close(fd) < 0)
		kt_err("writing %s: %s", to, strerror(errno));
	else
		ret = 0;
	free(buf);
	return ret;
}

static int run_depmod(const char *base, const char *ver)
{
	const char *cands[] = { "depmod", "/usr/sbin/depmod", "/sbin/depmod" };
	int status;

	for (size_t i = 0; i < sizeof(cands) / sizeof(cands[0]); i++) {
		char *argv[] = { (char *)cands[i], "-b", (char *)base, (char *)ver, NULL };
		pid_t pid;
		int err = posix_spawnp(&pid, cands[i], NULL, NULL, argv, environ);

		if (err == ENOENT)
			continue;
		if (err) {
			kt_err("running %s: %s", cands[i], strerror(err));
			return -1;
		}
		while (waitpid(pid, &status, 0) < 0) {
			if (errno != EINTR) {
				kt_err("waiting for depmod: %s", strerror(errno));
				return -1;
			}
		}
		if (!WIFEXITED(status) || WEXITSTATUS(status)) {
			kt_err("depmod -b %s %s failed (status %d)", base, ver, status);
			return -1;
		}
		return 0;
	}
	kt_err("depmod not found (install Debian's kmod package)");
	return -1;
}

/*
 * Debian's kernel packages ship no modules.dep (depmod runs at install time) and built
 * trees have none either: lay out <cache>/modules/<ver>-<key>/lib/modules/<ver> with
 * symlinks to the real module directories and run 'depmod -b' there. Built in a temporary
 * directory and renamed, so concurrent runs never see half of one.
 */
static int depmod_cache(const char *dir, const char *ver, char *out, size_t osz)
{
	char real[PATH_MAX], root[PATH_MAX], tmp[PATH_MAX + 64], mdir[PATH_MAX + 128];
	char src[PATH_MAX + 64], dst[PATH_MAX * 2], final[PATH_MAX + 64];
	struct stat st = { 0 };
	struct dirent *de;
	XXH64_state_t *h;
	uint64_t key;
	DIR *d;

	if (!realpath(dir, real)) {
		kt_err("--modules-dir: %s: %s", dir, strerror(errno));
		return -1;
	}
	if (kernel_cache_dir(root, sizeof(root)) < 0) {
		kt_err("no cache directory (set KTSTR_CACHE_DIR or HOME)");
		return -2;
	}
	root[strlen(root) - strlen("/kernels")] = '\0';
	/* Keyed by where the modules are and when their list last changed (a rebuilt tree). */
	/* No modules.order (a hand-made directory): keyed by its path alone. */
	if (kt_pathf(src, sizeof(src), "%s/modules.order", real) < 0 || stat(src, &st) < 0)
		memset(&st, 0, sizeof(st));
	h = XXH64_createState();
	if (!h) {
		kt_err("out of memory");
		return -2;
	}
	XXH64_reset(h, 0);
	XXH64_update(h, real, strlen(real));
	XXH64_update(h, &st.st_mtim, sizeof(st.st_mtim));
	XXH64_update(h, &st.st_size, sizeof(st.st_size));
	key = XXH64_digest(h);
	XXH64_freeState(h);
	if (kt_pathf(final, sizeof(final), "%s/modules/%s-%016llx", root, ver,
		     (unsigned long long)key) < 0 ||
	    kt_pathf(out, osz, "%s/lib/modules/%s", final, ver) < 0) {
		kt_err("cache path too long under %s", root);
		return -2;
	}
	if (exists(out, "modules.dep.bin"))
		return 0;

	kt_pathf(tmp, sizeof(tmp), "%s/modules", root);
	if (mkdir(root, 0755) < 0 && errno != EEXIST) {
		kt_err("creating %s: %s", root, strerror(errno));
		return -2;
	}
	if (mkdir(tmp, 0755) < 0 && errno != EEXIST) {
		kt_err("creating %s: %s", tmp, strerror(errno));
		return -2;
	}
	kt_pathf(tmp, sizeof(tmp), "%s/modules/.depmod.XXXXXX", root);
	if (!mkdtemp(tmp)) {
		kt_err("creating a directory %s: %s", tmp, strerror(errno));
		return -2;
	}
	if (kt_pathf(mdir, sizeof(mdir), "%s/lib", tmp) < 0 || mkdir(mdir, 0755) < 0 ||
	    kt_pathf(mdir, sizeof(mdir), "%s/lib/modules", tmp) < 0 || mkdir(mdir, 0755) < 0 ||
	    kt_pathf(mdir, sizeof(mdir), "%s/lib/modules/%s", tmp, ver) < 0 ||
	    mkdir(mdir, 0755) < 0) {
		kt_err("creating %s: %s", mdir, strerror(errno));
		goto fail;
	}
	d = opendir(real);
	if (!d) {
		kt_err("reading %s: %s", real, strerror(errno));
		goto fail;
	}
	while ((de = readdir(d))) {
		struct stat es;

		if (de->d_name[0] == '.' || !strcmp(de->d_name, "source") ||
		    !strcmp(de->d_name, "build"))
			continue;
		kt_pathf(src, sizeof(src), "%s/%s", real, de->d_name);
		kt_pathf(dst, sizeof(dst), "%s/%s", mdir, de->d_name);
		if (stat(src, &es) < 0)
			continue;
		if (S_ISDIR(es.st_mode)) {
			if (symlink(src, dst) < 0) {
				kt_err("symlink %s -> %s: %s", dst, src, strerror(errno));
				closedir(d);
				goto fail;
			}
		} else if (!strcmp(de->d_name, "modules.builtin") ||
			   !strcmp(de->d_name, "modules.builtin.modinfo") ||
			   !strcmp(de->d_name, "modules.order")) {
			if (copy_file(src, dst) < 0) {
				closedir(d);
				goto fail;
			}
		}
	}
	closedir(d);
	/* A built tree may have no modules.builtin.modinfo; depmod only warns about it. */
	if (kt_pathf(dst, sizeof(dst), "%s/modules.builtin.modinfo", mdir) == 0 &&
	    access(dst, F_OK) < 0) {
		int fd = open(dst, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);

		if (fd < 0) {
			kt_err("creating %s: %s", dst, strerror(errno));
			goto fail;
		}
		close(fd);
	}
	if (run_depmod(tmp, ver) < 0)
		goto fail;
	if (rename(tmp, final) < 0) {
		if (errno != EEXIST && errno != ENOTEMPTY) {
			kt_err("renaming %s to %s: %s", tmp, final, strerror(errno));
			goto fail;
		}
		rm_rf(tmp);	/* another ktstr finished the same one first */
	}
	return 0;
fail:
	rm_rf(tmp);
	return -2;
}

static int add_file(struct modset *ms, struct kmod_module *m)
{
	const char *path = lk.kmod_module_get_path(m), *base;
	struct modfile *f;

	for (size_t i = 0; i < ms->n; i++)
		if (!strcmp(ms->f[i].name, lk.kmod_module_get_name(m)))
			return 0;
	if (ms->n == ms->cap) {
		size_t cap = ms->cap ? ms->cap * 2 : 16;
		struct modfile *nf = realloc(ms->f, cap * sizeof(*nf));

		if (!nf)
			return -1;
		ms->f = nf;
		ms->cap = cap;
	}
	f = &ms->f[ms->n];
	memset(f, 0, sizeof(*f));
	f->host = strdup(path);
	if (!f->host)
		return -1;
	snprintf(f->name, sizeof(f->name), "%s", lk.kmod_module_get_name(m));
	base = strrchr(path, '/');
	snprintf(f->archive, sizeof(f->archive), "%s/%s", MODULES_ARCHIVE_DIR, base ? base + 1 : path);
	ms->n++;
	return 0;
}

static int in_set(const struct modset *ms, const char *name)
{
	for (size_t i = 0; i < ms->n; i++)
		if (!strcmp(ms->f[i].name, name))
			return 1;
	return 0;
}

static int visit(struct modset *ms, struct kmod_module *m, int depth);

/* kmod_module_get_module() hands out a reference: drop it after the visit. */
static int visit_entry(struct modset *ms, const struct kmod_list *l, int depth)
{
	struct kmod_module *m = lk.kmod_module_get_module(l);
	int ret = visit(ms, m, depth);

	lk.kmod_module_unref(m);
	return ret;
}

/* Depth first: pre-softdeps and dependencies before the module itself. */
static int visit(struct modset *ms, struct kmod_module *m, int depth)
{
	struct kmod_list *deps, *pre = NULL, *post = NULL, *l;
	int ret = 0;

	if (!lk.kmod_module_get_path(m) || in_set(ms, lk.kmod_module_get_name(m)))
		return 0;	/* built in (nothing to load), or already planned */
	if (depth > 64) {
		kt_err("--modules: dependency loop at %s", lk.kmod_module_get_name(m));
		return -1;
	}
	if (lk.kmod_module_get_softdeps(m, &pre, &post) == 0) {
		for (l = pre; l; l = lk.kmod_list_next(pre, l))
			if (!ret)
				ret = visit_entry(ms, l, depth + 1);
		lk.kmod_module_unref_list(pre);
		lk.kmod_module_unref_list(post);
	}
	deps = lk.kmod_module_get_dependencies(m);
	for (l = deps; l; l = lk.kmod_list_next(deps, l))
		if (!ret)
			ret = visit_entry(ms, l, depth + 1);
	lk.kmod_module_unref_list(deps);
	if (!ret && add_file(ms, m) < 0) {
		kt_err("out of memory");
		ret = -1;
	}
	return ret;
}

/* libkmod logs through syslog-style callbacks; only its errors are worth showing. */
static void kmod_log(void *data, int prio, const char *file, int line, const char *fn,
		     const char *fmt, va_list args)
{
	(void)data, (void)file, (void)line, (void)fn;
	if (prio <= 3) {
		fputs("ktstr: libkmod: ", stderr);
		vfprintf(stderr, fmt, args);
	}
}

/* Opens libkmod on dir (after depmod -b into the cache when it has no modules.dep). */
static int open_ctx(const struct kernel_info *k, const char *dir, struct kmod_ctx **ctx)
{
	static const char *const no_config[] = { "/dev/null/none", NULL };
	char depdir[PATH_MAX + 128];

	if (load_libkmod() < 0)
		return -2;
	if (k->modules_is_tree || !exists(dir, "modules.dep.bin") || !exists(dir, "modules.dep")) {
		int r = depmod_cache(dir, k->version[0] ? k->version : "unknown", depdir,
				     sizeof(depdir));

		if (r < 0)
			return r;
		dir = depdir;
	}
	/* The host's modprobe.d must not add aliases or blacklists to another kernel. */
	*ctx = lk.kmod_new(dir, no_config);
	if (!*ctx) {
		kt_err("libkmod: cannot open module directory %s", dir);
		return -2;
	}
	lk.kmod_set_log_fn(*ctx, kmod_log, NULL);
	return 0;
}

/*
 * Adds each name in list (and its dependencies) to ms. A name that is not found is an
 * error naming it, or skipped and counted in *missing when missing is not NULL.
 */
static int resolve_into(const struct kernel_info *k, const char *dir, const char *list,
			struct modset *ms, unsigned *missing)
{
	char *names, *save = NULL;
	struct kmod_ctx *ctx;
	int ret;

	ret = open_ctx(k, dir, &ctx);
	if (ret < 0)
		return ret;
	names = strdup(list);
	if (!names) {
		lk.kmod_unref(ctx);
		kt_err("out of memory");
		return -2;
	}
	for (char *n = strtok_r(names, ",", &save); n && !ret; n = strtok_r(NULL, ",", &save)) {
		struct kmod_list *found = NULL;
		struct kmod_module *m;

		if (lk.kmod_module_new_from_lookup(ctx, n, &found) < 0 || !found) {
			if (missing) {
				(*missing)++;
				continue;
			}
			kt_err("--modules: no module '%s' for kernel %s in %s", n,
			       k->version[0] ? k->version : k->image, dir);
			ret = -1;
			break;
		}
		m = lk.kmod_module_get_module(found);
		if (!lk.kmod_module_get_path(m))
			ms->builtin++;	/* built into the kernel: nothing to load */
		else
			ret = visit(ms, m, 0);
		lk.kmod_module_unref(m);
		lk.kmod_module_unref_list(found);
	}
	free(names);
	lk.kmod_unref(ctx);
	return ret;
}

int modules_resolve(const struct kernel_info *k, const char *dir, const char *list,
		    struct modset *ms)
{
	int ret;

	memset(ms, 0, sizeof(*ms));
	if (!list || !*list)
		return 0;
	if (!dir || !*dir)
		dir = k->modules;
	if (!*dir) {
		kt_err("--modules: no module directory found for %s (version %s); pass "
		       "--modules-dir DIR", k->image, k->version[0] ? k->version : "unknown");
		return -1;
	}
	if (access(dir, R_OK | X_OK) < 0) {
		kt_err("--modules-dir: cannot read %s: %s", dir, strerror(errno));
		return -1;
	}
	ret = resolve_into(k, dir, list, ms, NULL);
	if (ret)
		modules_free(ms);
	return ret;
}

/* Whether modules.builtin names every module in names (NULL-terminated). */
static int all_builtin(const char *dir, const char *const *names)
{
	char p[PATH_MAX + 32], *txt;
	size_t len;
	int all = 1;

	if (kt_pathf(p, sizeof(p), "%s/modules.builtin", dir) < 0 ||
	    !(txt = kt_read_file(p, 16u << 20, &len)))
		return 0;
	for (; *names && all; names++) {
		char want[64];

		snprintf(want, sizeof(want), "/%s.ko\n", *names);
		all = strstr(txt, want) != NULL;
	}
	free(txt);
	return all;
}

int modules_add_needed(const struct kernel_info *k, const char *dir, struct modset *ms,
		       int verbose)
{
	static const char *const needed[] = { "virtio_pci", "virtio_console", NULL };
	unsigned missing = 0;
	size_t before = ms->n;

	if (!dir || !*dir)
		dir = k->modules;
	/*
	 * No module directory: nothing can be added, so assume a monolithic kernel. Both
	 * built in (Debian's kernels): skip libkmod, and the depmod a packaged kernel
	 * would need, on every run.
	 */
	if (!*dir || access(dir, R_OK | X_OK) < 0 || all_builtin(dir, needed))
		return 0;
	if (resolve_into(k, dir, "virtio_pci,virtio_console", ms, &missing) < 0)
		return -2;
	if (verbose && ms->n > before)
		kt_note("the kernel has the report channel's drivers as modules: packing %zu",
			ms->n - before);
	if (missing)
		kt_note("kernel %s has no virtio_console or virtio_pci, built in or as a module: "
			"the guest's reports fall back to ttyS1", k->version);
	return 0;
}

char *modules_order_text(const struct modset *ms)
{
	size_t len = 1;
	char *t, *p;

	for (size_t i = 0; i < ms->n; i++)
		len += strlen(ms->f[i].archive) + 2;
	t = p = malloc(len);
	if (!t)
		return NULL;
	for (size_t i = 0; i < ms->n; i++)
		p += sprintf(p, "/%s\n", ms->f[i].archive);
	*p = '\0';
	return t;
}

void modules_free(struct modset *ms)
{
	for (size_t i = 0; i < ms->n; i++)
		free(ms->f[i].host);
	free(ms->f);
	memset(ms, 0, sizeof(*ms));
}
