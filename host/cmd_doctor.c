// SPDX-License-Identifier: GPL-2.0-only
/* ktstr doctor: can this host run ktstr, and if not, what to do about it. */
#include "cmd.h"
#include "dl.h"
#include "initrd.h"
#include "kernel.h"
#include "util.h"
#include "vm.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static const char doctor_usage[] =
	"usage: ktstr doctor\n"
	"\n"
	"Checks what ktstr needs, one line each with the fix when something is missing:\n"
	"QEMU, KVM (optional: TCG works, slower), busybox, ktstr-init, a kernel, depmod and\n"
	"libkmod (for --modules), libxml2 (for --junit), the cache and lock directories.\n"
	"\n"
	"exit status: 0 when ktstr can run (warnings allowed), 1 when something it needs is\n"
	"missing\n";

enum level { OK, WARN, FAIL };

struct doctor {
	unsigned fails, warns;
};

static void line(struct doctor *d, enum level l, const char *what, const char *fix,
		 const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static void line(struct doctor *d, enum level l, const char *what, const char *fix,
		 const char *fmt, ...)
{
	static const char *tag[] = { "ok  ", "warn", "FAIL" };
	va_list ap;

	printf("%s  %-10s ", tag[l], what);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	if (l != OK && fix)
		printf(" -- fix: %s", fix);
	putchar('\n');
	d->fails += l == FAIL;
	d->warns += l == WARN;
}

/* The first line `prog --version` prints, or "" if it cannot run. */
static void version_of(const char *prog, char *out, size_t sz)
{
	int p[2], status;
	ssize_t n = 0, r;
	pid_t pid;

	out[0] = '\0';
	if (pipe2(p, O_CLOEXEC) < 0)
		return;
	pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);

		dup2(p[1], 1);
		if (null >= 0)
			dup2(null, 2), dup2(null, 0);
		execl(prog, prog, "--version", (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	while (pid > 0 && (size_t)n < sz - 1 &&
	       ((r = read(p[0], out + n, sz - 1 - (size_t)n)) > 0 || (r < 0 && errno == EINTR)))
		n += r > 0 ? r : 0;
	close(p[0]);
	if (pid > 0)
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
	out[n] = '\0';
	out[strcspn(out, "\n")] = '\0';
}

/* The full path of prog found in PATH, or -1. */
static int which(const char *prog, char *out, size_t sz)
{
	const char *path = getenv("PATH");
	char *dup, *save = NULL;
	int found = -1;

	if (strchr(prog, '/'))
		return kt_pathf(out, sz, "%s", prog) || access(out, X_OK) ? -1 : 0;
	dup = strdup(path && *path ? path : "/usr/local/bin:/usr/bin:/bin");
	if (!dup)
		return -1;
	for (char *dir = strtok_r(dup, ":", &save); dir && found; dir = strtok_r(NULL, ":", &save))
		if (kt_pathf(out, sz, "%s/%s", dir, prog) == 0 && access(out, X_OK) == 0)
			found = 0;
	free(dup);
	return found;
}

static void check_qemu(struct doctor *d)
{
	const char *q = getenv("KTSTR_QEMU");
	char path[4096], ver[256];

	q = q && *q ? q : "qemu-system-x86_64";
	if (which(q, path, sizeof(path)) < 0) {
		line(d, FAIL, "qemu", "apt-get install qemu-system-x86", "%s not found in PATH", q);
		return;
	}
	version_of(path, ver, sizeof(ver));
	if (!ver[0])
		line(d, FAIL, "qemu", "reinstall qemu-system-x86", "%s does not run", path);
	else
		line(d, OK, "qemu", NULL, "%s (%s)", ver, path);
}

static void check_kvm(struct doctor *d)
{
	const char *why = vm_kvm_unusable_reason();
	char fix[512];
	struct stat st;

	if (!why) {
		line(d, OK, "kvm", NULL, "/dev/kvm opens read-write and the CPU has vmx/svm");
		return;
	}
	if (stat("/dev/kvm", &st) < 0) {
		line(d, WARN, "kvm", "load kvm_intel or kvm_amd (modprobe), enable VT-x/AMD-V in "
		     "the firmware, or nested virtualisation in the hypervisor",
		     "no /dev/kvm: runs use TCG, timings are emulated");
		return;
	}
	if (access("/dev/kvm", R_OK | W_OK) < 0) {
		struct group *g = getgrgid(st.st_gid);

		snprintf(fix, sizeof(fix), "add your user to group '%s' (sudo usermod -aG %s $USER) "
			 "and log in again", g ? g->gr_name : "kvm", g ? g->gr_name : "kvm");
		line(d, WARN, "kvm", fix, "/dev/kvm is not read-write for you (%s): runs use TCG",
		     strerror(errno));
		return;
	}
	line(d, WARN, "kvm", "enable nested virtualisation (vmx/svm) for this VM", "%s: runs use "
	     "TCG, timings are emulated", why);
}

static void check_busybox(struct doctor *d)
{
	char path[4096];

	if (which("busybox", path, sizeof(path)) < 0 &&
	    kt_pathf(path, sizeof(path), "/bin/busybox") == 0 && access(path, X_OK) < 0) {
		line(d, WARN, "busybox", "apt-get install busybox-static",
		     "busybox not found (the guest's shell and tools)");
		return;
	}
	line(d, OK, "busybox", NULL, "%s", path);
}

static void check_init(struct doctor *d)
{
	char path[4096];

	if (initrd_find_init(path, sizeof(path)) < 0)
		line(d, FAIL, "ktstr-init", "./build.sh (or ./build.sh install), or set KTSTR_INIT",
		     "not found next to ktstr or in ../libexec/ktstr");
	else
		line(d, OK, "ktstr-init", NULL, "%s", path);
}

static void check_kernel(struct doctor *d)
{
	struct kernel_info k;
	char why[1024];
	const char *env = getenv("KTSTR_KERNEL");

	if (kernel_resolve(env, &k, why, sizeof(why)) < 0)
		line(d, FAIL, "kernel", env && *env ? "fix KTSTR_KERNEL" : "ktstr kernel fetch",
		     "%s", why);
	else
		line(d, OK, "kernel", NULL, "%s %s (%s, modules %s)", k.image,
		     k.version[0] ? k.version : "(no version)", k.source, k.modules[0] ? "found" :
		     "not found");
}

static void check_depmod(struct doctor *d)
{
	char path[4096];

	if (which("depmod", path, sizeof(path)) == 0 ||
	    access("/usr/sbin/depmod", X_OK) == 0 || access("/sbin/depmod", X_OK) == 0)
		line(d, OK, "depmod", NULL, "found (--modules on kernels without modules.dep)");
	else
		line(d, WARN, "depmod", "apt-get install kmod", "not found: --modules needs it for "
		     "Debian's packaged kernels");
}

/* Libraries loaded only where an option needs them (dl.h): a warning when absent. */
static void check_libs(struct doctor *d)
{
	static const struct {
		const char *name, *soname, *what, *fix;
	} libs[] = {
		{ "libkmod", "libkmod.so.2", "--modules", "apt-get install libkmod2" },
		{ "libxml2", "libxml2.so.2", "--junit", "apt-get install libxml2" },
	};

	for (size_t i = 0; i < sizeof(libs) / sizeof(libs[0]); i++) {
		const char *why = kt_dl_probe(libs[i].soname);

		if (why)
			line(d, WARN, libs[i].name, libs[i].fix, "%s cannot be loaded (%s needs it): %s",
			     libs[i].soname, libs[i].what, why);
		else
			line(d, OK, libs[i].name, NULL, "%s loads (%s)", libs[i].soname, libs[i].what);
	}
}

/* A directory ktstr writes to: created if missing, then a file made and removed in it. */
static void check_writable(struct doctor *d, const char *what, const char *dir,
			   const char *fix)
{
	char probe[4200];
	int fd;

	if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
		line(d, FAIL, what, fix, "cannot create %s: %s", dir, strerror(errno));
		return;
	}
	if (kt_pathf(probe, sizeof(probe), "%s/.ktstr-doctor.%d", dir, (int)getpid()) < 0 ||
	    (fd = open(probe, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) < 0) {
		line(d, FAIL, what, fix, "%s is not writable: %s", dir, strerror(errno));
		return;
	}
	close(fd);
	unlink(probe);
	line(d, OK, what, NULL, "%s is writable", dir);
}

int cmd_doctor(int argc, char **argv)
{
	struct doctor d = { 0 };
	char cache[4096];
	const char *lock = getenv("KTSTR_LOCK_DIR");

	if (argc > 1) {
		if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
			fputs(doctor_usage, stdout);
			return KT_EXIT_PASS;
		}
		kt_err("doctor: unexpected argument '%s'; see 'ktstr doctor --help'", argv[1]);
		return KT_EXIT_USAGE;
	}
	check_qemu(&d);
	check_kvm(&d);
	check_busybox(&d);
	check_init(&d);
	check_kernel(&d);
	check_depmod(&d);
	check_libs(&d);
	if (kernel_cache_dir(cache, sizeof(cache)) < 0) {
		line(&d, FAIL, "cache", "set KTSTR_CACHE_DIR or HOME", "no cache directory");
	} else {
		char root[4096];

		snprintf(root, sizeof(root), "%.*s", (int)(strlen(cache) - strlen("/kernels")), cache);
		check_writable(&d, "cache", root, "set KTSTR_CACHE_DIR to a writable directory");
	}
	check_writable(&d, "locks", lock && *lock ? lock : "/tmp",
		       "set KTSTR_LOCK_DIR to a writable directory");
	printf("%s: %u problem%s, %u warning%s\n", d.fails ? "not usable" : "usable", d.fails,
	       d.fails == 1 ? "" : "s", d.warns, d.warns == 1 ? "" : "s");
	fflush(stdout);
	return d.fails ? KT_EXIT_FAIL : KT_EXIT_PASS;
}
