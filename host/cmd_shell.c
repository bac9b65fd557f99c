// SPDX-License-Identifier: GPL-2.0-only
/*
 * ktstr shell: the same kernel, topology and files as a run, with a busybox shell on the
 * console (interactive) or one command whose output and status come back (--exec).
 */
#include "cmd.h"
#include "include.h"
#include "initrd.h"
#include "jobfile.h"
#include "kernel.h"
#include "locks.h"
#include "machine.h"
#include "initrd_tail.h"
#include "session.h"
#include "tty.h"
#include "vmopts.h"
#include "util.h"
#include "../shared/exec.h"
#include "../shared/job.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char shell_usage[] =
	"usage: ktstr shell [options]\n"
	"\n"
	"Boots a kernel in QEMU and gives you a busybox shell on its console, or runs one\n"
	"command there (--exec) with its stdout, stderr and exit status passed through.\n"
	"\n"
	"  -k, --kernel KERNEL     a bzImage, a built tree, an unpacked package root or a\n"
	"                          version, as for 'ktstr run'; default $KTSTR_KERNEL, else\n"
	"                          the running kernel's image if readable, else the newest\n"
	"                          cached one\n"
	"  -T, --topology TOPO     virtual topology NnLlCcTt or N,L,C,T (1n1l1c1t)\n"
	"      --memory-mib N      guest memory in MiB (default: from the initramfs size and\n"
	"                          the vCPUs, at least 512)\n"
	"  -i, --include PATH[:GUEST_PATH]\n"
	"                          copy a host file or directory into the guest, at GUEST_PATH\n"
	"                          or else /include/NAME (/include is on the shell's PATH);\n"
	"                          ELF programs bring their shared libraries; a bare NAME is\n"
	"                          looked up in $PATH; may be repeated\n"
	"      --job FILE          set up what the job file sets up (sysctls, cgroups, the\n"
	"                          scheduler), then hand over instead of running the workers;\n"
	"                          '/ktstr/init workers' in the guest runs them by hand\n"
	"      --exec CMD          run CMD with /bin/sh -c instead of an interactive shell;\n"
	"                          ktstr exits with its status (stdin is /dev/null)\n"
	"      --dmesg             kernel messages to stderr while the shell or CMD runs\n"
	"  -t, --timeout DUR       give up after DUR (--exec: 10m; interactive: none)\n"
	"      --accel MODE        auto, kvm or tcg\n"
	"      --append ARGS       extra kernel parameters\n"
	"  -v, --verbose           say what the guest reports\n"
	"  -h, --help              this text\n"
	"\n"
	"In the interactive shell every key goes to the guest (Ctrl-C interrupts the guest's\n"
	"foreground job). Ctrl-A x kills the VM, Ctrl-A Ctrl-A sends a Ctrl-A. 'exit' in the\n"
	"guest powers it off. The terminal is restored however ktstr ends. When stdin is not a\n"
	"terminal, it is typed into the shell, followed by 'exit' when it ends.\n"
	"\n"
	"exit status: interactive 0 when the shell exits or on Ctrl-A x; --exec: CMD's status\n"
	"(128+N when signal N killed it); 2 usage; 99 boot failure, kernel panic or timeout\n";

enum { OPT_EXEC = 256, OPT_JOB };

static const struct option shell_opts[] = {
	{ "include", required_argument, NULL, 'i' },
	{ "exec", required_argument, NULL, OPT_EXEC },
	{ "job", required_argument, NULL, OPT_JOB },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

#define MAX_INCLUDES 256
#define EXEC_TIMEOUT_MS (10 * 60 * 1000)
#define NO_TIMEOUT_MS (365LL * 24 * 3600 * 1000)

struct shell_args {
	struct vmopts vo;	/* --kernel, --topology, --timeout, ... */
	const char *exec, *jobfile;
	int verbose;
	struct include *inc;
	unsigned ninc;
	struct jobspec js;	/* --job FILE, or an empty job; always with KT_JOB_F_SHELL */
};

/* What the session hands back to us while it runs. */
struct shell_run {
	struct session *s;
	int interactive, tty;
	int shell_up;		/* the guest's shell owns the console (SHELL frame) */
	struct tty_escape esc;
	int have_done;
	struct kt_exec_done done;
	int out_gone[2];	/* stdout / stderr refused a write (a closed pipe): discard */
};

static int parse_args(int argc, char **argv, struct shell_args *a)
{
	struct option *opts;
	int c, r;

	vmopts_init(&a->vo);
	optind = 1;
	opts = kt_opts_concat(shell_opts, vmopts);
	if (!opts) {
		kt_err("out of memory");
		return -1;
	}
	while ((c = getopt_long(argc, argv, VMOPTS_SHORT "i:vh", opts, NULL)) != -1) {
		r = vmopts_handle(&a->vo, c, optarg);
		if (r < 0)
			goto bad;
		if (r)
			continue;
		switch (c) {
		case 'i':
			if (a->ninc == MAX_INCLUDES) {
				kt_err("-i: more than %d files", MAX_INCLUDES);
				goto bad;
			}
			if (include_parse(optarg, "/include", &a->inc[a->ninc]) < 0)
				goto bad;
			a->ninc++;
			break;
		case OPT_EXEC:
			a->exec = optarg;
			break;
		case OPT_JOB:
			a->jobfile = optarg;
			break;
		case 'v':
			a->verbose = 1;
			break;
		case 'h':
			fputs(shell_usage, stdout);
			exit(KT_EXIT_PASS);
		default:
			fprintf(stderr, "see 'ktstr shell --help'\n");
			goto bad;
		}
	}
	free(opts);
	if (optind < argc) {
		kt_err("shell: unexpected argument '%s'; see 'ktstr shell --help' (quote the "
		       "command: --exec 'CMD ARGS')", argv[optind]);
		return -1;
	}
	if (a->exec && !*a->exec) {
		kt_err("--exec: the command is empty");
		return -1;
	}
	if (vmopts_check(&a->vo) < 0)
		return -1;
	if (!a->vo.timeout_ms)
		a->vo.timeout_ms = a->exec ? EXEC_TIMEOUT_MS : NO_TIMEOUT_MS;
	return 0;
bad:
	free(opts);
	return -1;
}

/* $TERM goes on the kernel command line only if it is one plain word. */
static const char *safe_term(void)
{
	const char *t = getenv("TERM");

	if (!t || !*t || strlen(t) > 60 || strspn(t, "abcdefghijklmnopqrstuvwxyz"
			"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._+-") != strlen(t))
		return NULL;
	return t;
}

/* What the guest prints above the first prompt. */
static void build_motd(const struct shell_args *a, const char *version, struct kt_wbuf *w)
{
	char topo[64], line[8400];

	topology_format(&a->vo.vm.topo, topo, sizeof(topo));
	/* Memory is not known yet when it defaults (it follows this archive's size). */
	snprintf(line, sizeof(line), "\nktstr shell: Linux %s, topology %s (%u vCPU%s)\n",
		 version[0] ? version : "(version unknown)", topo, topology_vcpus(&a->vo.vm.topo),
		 topology_vcpus(&a->vo.vm.topo) == 1 ? "" : "s");
	kt_put_bytes(w, line, strlen(line));
	if (a->ninc) {
		snprintf(line, sizeof(line), "included files (/include is on PATH):\n");
		kt_put_bytes(w, line, strlen(line));
	}
	for (unsigned i = 0; i < a->ninc; i++) {
		snprintf(line, sizeof(line), "  %s%s  (from %s)\n", a->inc[i].guest,
			 a->inc[i].dir ? "/" : "", a->inc[i].host);
		kt_put_bytes(w, line, strlen(line));
	}
	if (a->jobfile) {
		snprintf(line, sizeof(line), "job '%s' (%s) is set up: %u group%s, scheduler %s%s%s\n"
			 "start its workers by hand with: /ktstr/init workers\n", a->js.job.name,
			 a->jobfile, a->js.job.ngroups, a->js.job.ngroups == 1 ? "" : "s",
			 a->js.job.scheduler[0] ? a->js.job.scheduler : "(the kernel's own)",
			 a->js.job.scheduler_args[0] ? " " : "", a->js.job.scheduler_args);
		kt_put_bytes(w, line, strlen(line));
	}
	snprintf(line, sizeof(line), "'exit' powers the VM off; Ctrl-A x on the host kills it.\n\n");
	kt_put_bytes(w, line, strlen(line));
}

/*
 * The run's initramfs: the cached base (init, busybox, the -i files with their shared
 * libraries) and a suffix with the job, the MOTD and the command for --exec.
 */
static int write_initrd(struct shell_args *a, const char *init, const char *version,
			const void *job, size_t job_len, const char *path)
{
	struct initrd_opts io = { .init = init, .verbose = a->verbose };
	struct initrd_list base = { 0 }, suffix = { 0 };
	struct kt_wbuf motd = { 0 };
	char bb[4096];
	int ret = -1;

	if (initrd_find_busybox(bb, sizeof(bb)) < 0) {
		kt_err("no static busybox for the guest's shell (install busybox-static, or set "
		       "KTSTR_BUSYBOX)");
		return -1;
	}
	io.busybox = bb;
	if (a->js.scheduler_host[0] &&
	    initrd_list_add(&base, a->js.job.scheduler, a->js.scheduler_host, NULL, 0, 0755) < 0) {
		kt_err("out of memory");
		goto out;
	}
	for (unsigned i = 0; i < a->ninc; i++)
		if (include_add(&base, &a->inc[i]) < 0)
			goto out;
	build_motd(a, version, &motd);
	if (motd.oom || initrd_list_add(&suffix, "/ktstr/job", NULL, job, job_len, 0644) < 0 ||
	    initrd_list_add(&suffix, "/ktstr/motd", NULL, motd.buf, motd.len, 0644) < 0 ||
	    (a->exec && initrd_list_add(&suffix, "/ktstr/exec", NULL, a->exec, strlen(a->exec),
				    0644) < 0)) {
		kt_err("out of memory");
		goto out;
	}
	ret = initrd_write(&io, base.e, base.n, suffix.e, suffix.n, path);
out:
	initrd_list_free(&base);
	initrd_list_free(&suffix);
	kt_wbuf_free(&motd);
	return ret;
}

/* Writes to stdout or stderr; a reader that went away (a closed pipe) is not an error. */
static void pass_through(struct shell_run *r, int which, const struct kt_frame *f)
{
	if (r->out_gone[which] || !f->len)
		return;
	if (kt_write_all(which + 1, f->payload, f->len) < 0) {
		if (errno != EPIPE)
			kt_err("writing the command's %s: %s", which ? "stderr" : "stdout",
			       strerror(errno));
		r->out_gone[which] = 1;
	}
}

static void on_frame(void *ctx, const struct kt_frame *f)
{
	struct shell_run *r = ctx;

	switch (f->type) {
	case KT_MSG_JOB:
		return;
	case KT_MSG_EXEC_STDOUT:
		pass_through(r, 0, f);
		return;
	case KT_MSG_EXEC_STDERR:
		pass_through(r, 1, f);
		return;
	case KT_MSG_EXEC_DONE:
		if (kt_dec_exec_done(f, &r->done) == 0) {
			r->have_done = 1;
			return;
		}
		break;
	case KT_MSG_SHELL:
		/* From here the console is the shell: raw to the terminal, no line echo. */
		if (r->interactive) {
			r->shell_up = 1;
			r->s->con.echo = NULL;
			r->s->con_out = STDOUT_FILENO;
			r->s->con_in = STDIN_FILENO;
		}
		return;
	}
	kt_err("unexpected or malformed %s frame (type %u) from the guest; ignored",
	       kt_msg_name(f->type), f->type);
}

static ssize_t on_input(void *ctx, const char *in, size_t n, char *out)
{
	struct shell_run *r = ctx;
	ssize_t k;

	/*
	 * Input that is not a terminal ended (a script piped in, or /dev/null): an `exit`
	 * line ends the guest's shell after the script, so the VM powers off instead of
	 * waiting. (An EOT would be lost if it arrived while a command runs.)
	 */
	if (!n) {
		memcpy(out, "\nexit\n", 6);
		return r->tty ? 0 : 6;
	}
	/* Keys typed during boot would reach the shell mangled: only Ctrl-A x counts then. */
	k = tty_escape_filter(&r->esc, in, n, out);
	return k < 0 || r->shell_up ? k : 0;
}

static void banner(const struct shell_args *a, const char *kernel, const char *version,
		   const char *accel_note)
{
	char topo[64];

	topology_format(&a->vo.vm.topo, topo, sizeof(topo));
	fprintf(stderr, "ktstr shell: kernel %s (%s)\n", kernel, version[0] ? version : "version unknown");
	fprintf(stderr, "  topology %s (%u vCPU%s), memory %u MiB, %s\n", topo,
		topology_vcpus(&a->vo.vm.topo), topology_vcpus(&a->vo.vm.topo) == 1 ? "" : "s",
		a->vo.vm.mem_mib, accel_note);
	if (!a->ninc)
		fprintf(stderr, "  includes: none\n");
	for (unsigned i = 0; i < a->ninc; i++)
		if (a->inc[i].dir)
			fprintf(stderr, "  include %s/ -> %s/ (%u files)\n", a->inc[i].host,
				a->inc[i].guest, a->inc[i].nfiles);
		else
			fprintf(stderr, "  include %s -> %s\n", a->inc[i].host, a->inc[i].guest);
	if (a->js.job.scheduler[0])
		fprintf(stderr, "  scheduler: %s%s%s\n", a->js.job.scheduler,
			a->js.job.scheduler_args[0] ? " " : "", a->js.job.scheduler_args);
	else
		fprintf(stderr, "  scheduler: the kernel's own\n");
	if (a->jobfile)
		fprintf(stderr, "  job: %s ('%s', %u group%s), set up, workers not started\n",
			a->jobfile, a->js.job.name, a->js.job.ngroups,
			a->js.job.ngroups == 1 ? "" : "s");
	if (!a->exec)
		fprintf(stderr, "  Ctrl-A x kills the VM; 'exit' in the guest powers it off.\n");
}

/* The kernel command line: the user's --append plus the shell's ktstr.* knobs. */
static void build_append(const struct shell_args *a, int interactive, char *buf, size_t sz)
{
	unsigned rows, cols;
	const char *term = safe_term();
	size_t n = 0;

	buf[0] = '\0';
	if (a->vo.vm.append)
		n += (size_t)snprintf(buf + n, sz - n, "%s ", a->vo.vm.append);
	if (interactive && tty_size(STDIN_FILENO, &rows, &cols) == 0 && n < sz)
		n += (size_t)snprintf(buf + n, sz - n, "ktstr.rows=%u ktstr.cols=%u ", rows, cols);
	if (interactive && term && n < sz)
		n += (size_t)snprintf(buf + n, sz - n, "ktstr.term=%s ", term);
	if (a->vo.dmesg && n < sz)
		n += (size_t)snprintf(buf + n, sz - n, "ktstr.dmesg=1 ");
	/* The init checks the archive's last file (host/initrd_tail.h). */
	if (n < sz)
		n += (size_t)snprintf(buf + n, sz - n, "ktstr.sentinel=1 ");
	if (n && n <= sz)
		buf[n - 1] = '\0';
}

static int boot(struct shell_args *a, const char *kernel, const char *version, const char *initrd)
{
	struct session s;
	struct shell_run r = { 0 };
	char append[4096], note[256];
	int interactive = !a->exec, raw = 0, ret;

	/* Resolved here so the note is ours to print: --exec keeps stderr for the command. */
	snprintf(note, sizeof(note), "%s", a->vo.vm.accel == VM_ACCEL_TCG ? "TCG" : "KVM");
	if (a->vo.vm.accel == VM_ACCEL_AUTO) {
		const char *why = vm_kvm_unusable_reason();

		a->vo.vm.accel = why ? VM_ACCEL_TCG : VM_ACCEL_KVM;
		snprintf(note, sizeof(note), why ? "TCG (KVM not usable: %s)" : "KVM", why);
	}
	if (interactive || a->verbose)
		banner(a, kernel, version, note);
	a->vo.vm.tcg_single = machine_tcg_single(a->vo.vm.accel, topology_vcpus(&a->vo.vm.topo),
						 &a->js.job, interactive || a->verbose);
	build_append(a, interactive, append, sizeof(append));
	a->vo.vm.kernel = kernel;
	a->vo.vm.initrd = initrd;
	a->vo.vm.append = append[0] ? append : NULL;

	session_init(&s);
	s.verbose = a->verbose;
	s.timeout_ms = a->vo.timeout_ms;
	/* Interactive: what the guest reports (a scheduler dying, say) shows on stderr. */
	s.out = interactive || a->verbose || a->vo.dmesg ? stderr : NULL;
	s.dmesg = a->vo.dmesg ? stderr : NULL;
	s.on_frame = on_frame;
	s.ctx = &r;
	r.s = &s;
	r.interactive = interactive;
	if (interactive) {
		s.on_input = on_input;
		r.tty = isatty(STDIN_FILENO);
		/* A terminal is read from the start, for Ctrl-A x; other input once the shell is up. */
		if (r.tty) {
			if (tty_raw(STDIN_FILENO) < 0)
				return KT_EXIT_INFRA;
			raw = 1;
			s.con_in = STDIN_FILENO;
			s.winch_fd = STDIN_FILENO;	/* window size changes follow */
		}
	}
	ret = session_run(&s, &a->vo.vm, a->vo.timeout_ms);
	session_free(&s);
	if (raw)
		tty_restore();
	if (interactive || ret != KT_EXIT_PASS || s.user_quit)
		return ret;
	if (!r.have_done) {
		kt_err("the guest ended without reporting the command's status");
		return KT_EXIT_INFRA;
	}
	if (r.done.code < 0 && a->verbose)
		kt_note("the command was killed by signal %d", r.done.signo);
	return kt_exec_status(&r.done);
}

static int shell(struct shell_args *a)
{
	struct kt_wbuf jobbuf = { 0 };
	struct kernel_info k;
	static struct plan plan;
	struct lockset locks = { 0 };
	char why[1024], init[4096], tmpl[4096], path[4200];
	const char *tmp = getenv("TMPDIR");
	struct stat st;
	int ret;

	ret = kernel_resolve(a->vo.kernel, &k, why, sizeof(why));
	if (ret < 0) {
		kt_err("%s%s", ret == -2 ? "" : "--kernel: ", why);
		return KT_EXIT_USAGE;
	}
	if (initrd_find_init(init, sizeof(init)) < 0) {
		kt_err("ktstr-init not found next to ktstr or in ../libexec/ktstr (set KTSTR_INIT)");
		return KT_EXIT_INFRA;
	}
	/* The guest sets up what the job asks for, then hands over instead of running it. */
	a->js.job.flags |= KT_JOB_F_SHELL;
	if (kt_job_encode(&jobbuf, 0, &a->js.job) < 0) {
		kt_err("the job does not fit in one frame");
		kt_wbuf_free(&jobbuf);
		return KT_EXIT_USAGE;
	}
	/* Host CPUs for the VM's life, as a run takes them (released at the end, or with us). */
	ret = locks_reserve_run(&a->vo.vm.topo, 0, 0, 0, a->verbose, &plan, &locks);
	if (ret != KT_EXIT_PASS) {
		kt_wbuf_free(&jobbuf);
		return ret;
	}
	a->vo.vm.plan = &plan;
	a->vo.vm.verbose = a->verbose;
	/* Signals wait in a signalfd from here on, so the cleanup below always runs. */
	if (session_block_signals() < 0) {
		kt_err("blocking signals: %s", strerror(errno));
		kt_wbuf_free(&jobbuf);
		locks_release(&locks);
		return KT_EXIT_INFRA;
	}
	/* A reader that leaves (ktstr shell --exec ... | head) must not kill us mid-cleanup. */
	signal(SIGPIPE, SIG_IGN);
	snprintf(tmpl, sizeof(tmpl), "%s/ktstr-run.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(tmpl)) {
		kt_err("creating a run directory %s: %s", tmpl, strerror(errno));
		kt_wbuf_free(&jobbuf);
		locks_release(&locks);
		return KT_EXIT_INFRA;
	}
	snprintf(path, sizeof(path), "%s/initrd.cpio", tmpl);
	ret = write_initrd(a, init, k.version, jobbuf.buf, jobbuf.len, path);
	kt_wbuf_free(&jobbuf);
	if (ret == 0 && (initrd_append_tail(path, initrd_pad_mib_from_env(), 1) < 0 ||
			 stat(path, &st) < 0))
		ret = -1;
	if (ret == 0) {
		if (!a->vo.vm.mem_mib)
			a->vo.vm.mem_mib = machine_default_mem_mib((size_t)st.st_size,
								topology_vcpus(&a->vo.vm.topo),
								a->vo.vm.topo.nodes);
		ret = boot(a, k.image, k.version, path);
	} else {
		ret = KT_EXIT_INFRA;
	}
	unlink(path);
	rmdir(tmpl);
	locks_release(&locks);
	return ret;
}

/* --job FILE compiled like 'ktstr run' does; without it a job with no groups. */
static int load_job(struct shell_args *a)
{
	struct job_src src;
	char why[512];
	int ret = 0;

	if (!a->jobfile) {
		kt_job_init(&a->js.job);
		snprintf(a->js.job.name, sizeof(a->js.job.name), "shell");
		return 0;
	}
	jobsrc_init(&src);
	src.default_workers = topology_vcpus(&a->vo.vm.topo);
	if (jobsrc_load_file(&src, a->jobfile) < 0 || jobsrc_compile(&src, &a->js) < 0) {
		fprintf(stderr, "%s\n", src.err[0] ? src.err : "out of memory");
		kt_err("%u error%s in the job; nothing was booted", src.nerr,
		       src.nerr == 1 ? "" : "s");
		ret = -1;
	} else if (job_check_vm(&a->js.job, topology_vcpus(&a->vo.vm.topo), a->vo.vm.topo.nodes, why,
				sizeof(why)) < 0) {
		kt_err("%s: %s", a->jobfile, why);
		jobspec_free(&a->js);
		ret = -1;
	}
	jobsrc_free(&src);
	return ret;
}

int cmd_shell(int argc, char **argv)
{
	struct shell_args a = { 0 };
	int ret;

	a.inc = calloc(MAX_INCLUDES, sizeof(*a.inc));
	if (!a.inc) {
		kt_err("out of memory");
		return KT_EXIT_INFRA;
	}
	if (parse_args(argc, argv, &a) < 0 || load_job(&a) < 0) {
		free(a.inc);
		return KT_EXIT_USAGE;
	}
	ret = shell(&a);
	jobspec_free(&a.js);
	free(a.inc);
	return ret;
}
