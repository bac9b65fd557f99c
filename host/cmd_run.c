// SPDX-License-Identifier: GPL-2.0-only
/* ktstr run: boot a kernel with ktstr-init and report what the guest says. */
#include "cmd.h"
#include "initrd.h"
#include "initrd_tail.h"
#include "jobcli.h"
#include "jobfile.h"
#include "judge.h"
#include "locks.h"
#include "kernel.h"
#include "kmod.h"
#include "machine.h"
#include "scx.h"
#include "session.h"
#include "vmopts.h"
#include "../shared/job.h"
#include "../shared/report.h"
#include "../shared/worktypes.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

static const char run_usage[] =
	"usage: ktstr run [options] [JOBFILE]\n"
	"\n"
	"Boots a kernel in QEMU with ktstr-init as PID 1 and prints what the guest reports.\n"
	"\n"
	"  -k, --kernel KERNEL     a bzImage, a built tree, an unpacked package root or a\n"
	"                          version (/boot/vmlinuz-VER, /lib/modules/VER/vmlinuz, the\n"
	"                          cache); default $KTSTR_KERNEL, else the running kernel's\n"
	"                          image if readable, else the newest cached one\n"
	"      --modules MOD,...   load these modules (and their dependencies) in the guest\n"
	"      --modules-dir DIR   the kernel's module directory (default: found with it)\n"
	"  -t, --timeout DUR       the whole run's limit (60s; units ms, s, m); then the guest\n"
	"                          is asked to stop and QEMU killed (exit 99)\n"
	"  -T, --topology TOPO     virtual topology NnLlCcTt or N,L,C,T (1n1l1c1t): NUMA nodes,\n"
	"                          LLCs in total, cores per LLC, threads per core\n"
	"      --numa-distance D   NUMA distances: one remote value (20) or the whole matrix\n"
	"                          row by row (10,20,20,10)\n"
	"      --memory-mib N      guest memory in MiB (default: from the initramfs size and\n"
	"                          vCPU count, at least 512)\n"
	"      --accel MODE        auto, kvm or tcg (auto: KVM when usable, see README)\n"
	"      --machine TYPE      QEMU machine type (q35)\n"
	"      --append ARGS       extra kernel parameters (after ktstr's own, see README)\n"
	"      --console-log FILE  keep the kernel console output in FILE\n"
	"      --output-dir DIR    keep the run's files in DIR: console.log, report.bin (the raw\n"
	"                          report stream, for 'ktstr decode'), result.json and, when a\n"
	"                          scheduler ran, scheduler.log (the last lines of its output)\n"
	"      --json FILE|-       write the result as JSON (docs/json-schema.md); '-': stdout,\n"
	"                          instead of the summary\n"
	"      --junit FILE        write JUnit XML: one testcase per check per group\n"
	"      --dmesg             echo the kernel console to stderr\n"
	"      --list-work         list the work types and their parameters, then exit\n"
	"      --compress MODE     initramfs compression: lz4 (default) or none\n"
	"      --perf-mode         take whole host LLCs exclusively (one per virtual LLC) plus a\n"
	"                          service CPU, and pin each vCPU thread to its own host CPU\n"
	"      --cpu-cap N         default mode: confine QEMU to N host CPUs (default: the vCPU\n"
	"                          count, at least 30% of the usable CPUs, at most all)\n"
	"      --wait-locks SECS   wait up to SECS for host CPUs other ktstr runs hold (0)\n"
	"  -v, --verbose           print the guest's progress and the topology it sees\n"
	"  -h, --help              this text\n"
	"\n"
	"Host CPUs are reserved with lock files in $KTSTR_LOCK_DIR (/tmp); see 'ktstr locks'.\n"
	"KTSTR_NO_LOCKS=1 reserves nothing (single-user machines).\n"
	"\n"
	"The job (docs/job-format.md); without one, spin on every vCPU for 2s:\n";
static const char run_usage_end[] =
	"\n"
	"exit status: 0 pass; 1 a check failed (README \"Checks and the verdict\": e.g. the\n"
	"scheduler died, kernel warnings, unfair or starved workers); 2 usage; 77 skipped: the\n"
	"host cannot give the CPUs (never, or busy); 99 infrastructure failure: boot failure,\n"
	"panic, timeout, a failed setup step in the guest (e.g. a sysctl that does not exist),\n"
	"missing or rejected worker reports\n";

enum { OPT_CONLOG = 256, OPT_OUTDIR, OPT_COMPRESS, OPT_PERF, OPT_CPUCAP, OPT_WAITLOCKS,
       OPT_LIST_WORK, OPT_MODULES, OPT_MODDIR,
       OPT_MACHINE, OPT_NUMADIST, OPT_JSON, OPT_JUNIT };

static const struct option run_opts[] = {
	{ "console-log", required_argument, NULL, OPT_CONLOG },
	{ "output-dir", required_argument, NULL, OPT_OUTDIR },
	{ "list-work", no_argument, NULL, OPT_LIST_WORK },
	{ "compress", required_argument, NULL, OPT_COMPRESS },
	{ "perf-mode", no_argument, NULL, OPT_PERF },
	{ "cpu-cap", required_argument, NULL, OPT_CPUCAP },
	{ "wait-locks", required_argument, NULL, OPT_WAITLOCKS },
	{ "modules", required_argument, NULL, OPT_MODULES },
	{ "modules-dir", required_argument, NULL, OPT_MODDIR },
	{ "machine", required_argument, NULL, OPT_MACHINE },
	{ "numa-distance", required_argument, NULL, OPT_NUMADIST },
	{ "json", required_argument, NULL, OPT_JSON },
	{ "junit", required_argument, NULL, OPT_JUNIT },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

struct run_args {
	struct vmopts vo;	/* --kernel, --topology, --timeout, ... */
	const char *console_log, *output_dir, *json, *junit;
	const char *modules, *modules_dir, *numa_dist;
	unsigned char dist[TOPO_MAX_NODES * TOPO_MAX_NODES];
	int verbose, perf;
	unsigned cpu_cap, wait_locks_s;
	struct job_src cli;	/* job shorthands from the command line */
	const char *jobfile;	/* NULL: the shorthands alone, or the default job */
	int print_job;
	enum initrd_compress compress;
};

static int parse_args(int argc, char **argv, struct run_args *a)
{
	struct option *vmo, *opts;
	char why[256];
	int c, r;

	vmopts_init(&a->vo);
	a->vo.timeout_ms = 60000;
	optind = 1;
	vmo = kt_opts_concat(run_opts, vmopts);
	opts = vmo ? kt_opts_concat(vmo, jobcli_options) : NULL;
	free(vmo);
	if (!opts) {
		kt_err("out of memory");
		return -1;
	}
	while ((c = getopt_long(argc, argv, VMOPTS_SHORT "vh", opts, NULL)) != -1) {
		if (jobcli_handle(&a->cli, c, optarg, &a->print_job))
			continue;
		r = vmopts_handle(&a->vo, c, optarg);
		if (r < 0)
			goto bad;
		if (r)
			continue;
		switch (c) {
		case OPT_MODULES:
			a->modules = optarg;
			break;
		case OPT_MODDIR:
			a->modules_dir = optarg;
			break;
		case OPT_MACHINE:
			if (!*optarg || strchr(optarg, ' ')) {
				kt_err("--machine: '%s' is not a QEMU machine type", optarg);
				goto bad;
			}
			a->vo.vm.machine = optarg;
			break;
		case OPT_NUMADIST:
			a->numa_dist = optarg;
			break;
		case OPT_CONLOG:
			a->console_log = optarg;
			break;
		case OPT_OUTDIR:
			a->output_dir = optarg;
			break;
		case OPT_COMPRESS:
			if (initrd_parse_compress(optarg, &a->compress) < 0) {
				kt_err("--compress: '%s' is not one of lz4, none", optarg);
				goto bad;
			}
			break;
		case OPT_PERF:
			a->perf = 1;
			break;
		case OPT_CPUCAP:
			if (kt_parse_uint("--cpu-cap", optarg, 1, KT_MAX_CPUS, &a->cpu_cap))
				goto bad;
			break;
		case OPT_WAITLOCKS:
			if (kt_parse_uint("--wait-locks", optarg, 0, 86400, &a->wait_locks_s))
				goto bad;
			break;
		case OPT_LIST_WORK:
			kt_work_print(stdout);
			exit(KT_EXIT_PASS);
		case OPT_JSON:
			a->json = optarg;
			break;
		case OPT_JUNIT:
			a->junit = optarg;
			break;
		case 'v':
			a->verbose = 1;
			break;
		case 'h':
			printf("%s%s%s", run_usage, jobcli_help, run_usage_end);
			exit(KT_EXIT_PASS);
		default:
			fprintf(stderr, "see 'ktstr run --help'\n");
			goto bad;
		}
	}
	free(opts);
	if (optind < argc)
		a->jobfile = argv[optind++];
	if (optind < argc) {
		kt_err("run: unexpected argument '%s' (one job file at most); see 'ktstr run --help'",
		       argv[optind]);
		return -1;
	}
	if (a->perf && a->cpu_cap) {
		kt_err("--cpu-cap applies to the default mode; --perf-mode takes whole LLCs");
		return -1;
	}
	if (judge_check_paths(a->json, a->junit) < 0)
		return -1;
	if (vmopts_check(&a->vo) < 0)
		return -1;
	if (a->numa_dist) {
		if (topology_parse_distance(a->numa_dist, a->vo.vm.topo.nodes, a->dist, why,
					    sizeof(why))) {
			kt_err("--numa-distance: %s", why);
			return -1;
		}
		if (a->vo.vm.topo.nodes < 2) {
			kt_err("--numa-distance: the topology has one NUMA node; distances need two "
			       "or more (--topology 2n...)");
			return -1;
		}
		a->vo.vm.numa_dist = a->dist;
	}
	if (a->modules_dir && !a->modules) {
		kt_err("--modules-dir: given without --modules");
		return -1;
	}
	return 0;
bad:
	free(opts);
	return -1;
}

/* More vCPUs than KVM takes is a usage error, caught before QEMU fails on it. */
static int check_kvm_vcpus(const struct run_args *a)
{
	unsigned max = machine_kvm_max_vcpus(), n = topology_vcpus(&a->vo.vm.topo);

	if (a->vo.vm.accel == VM_ACCEL_KVM && max && n > max) {
		kt_err("--topology: %u vCPUs, but this host's KVM allows at most %u", n, max);
		return -1;
	}
	return 0;
}

/*
 * More vCPUs than host CPUs to run them: whatever the guest measures of fairness, gaps and
 * latency then includes the host time-slicing its vCPUs. Said before the run, not judged.
 */
static void oversubscribed_note(const struct run_args *a, const struct plan *p)
{
	unsigned vcpus = topology_vcpus(&a->vo.vm.topo), cpus = cpuset_count(&p->cpus);

	if (p->mode == PLAN_PERF || a->vo.vm.tcg_single || cpus >= vcpus)
		return;
	kt_note("%u vCPUs share %u host CPU%s: fairness, gaps and latencies include the host "
		"time-slicing them (see --cpu-cap, --perf-mode)", vcpus, cpus, cpus == 1 ? "" : "s");
}

/*
 * The cached base's extra files: the scheduler (if the job names one), the modules and
 * their order file. paths holds the archive paths (ms->n of them).
 */
static struct initrd_entry *base_entries(const struct initrd_entry *sched,
					 const struct modset *ms, const char *order,
					 char (*paths)[160], size_t *n)
{
	struct initrd_entry *e = calloc(ms->n + 2, sizeof(*e));

	*n = 0;
	if (!e)
		return NULL;
	if (sched)
		e[(*n)++] = *sched;
	for (size_t i = 0; i < ms->n; i++) {
		snprintf(paths[i], sizeof(paths[i]), "/%s", ms->f[i].archive);
		e[(*n)++] = (struct initrd_entry){ .path = paths[i], .host = ms->f[i].host,
						   .mode = 0644 };
	}
	if (ms->n)
		e[(*n)++] = (struct initrd_entry){ .path = "/" MODULES_ORDER_PATH, .data = order,
						   .len = strlen(order), .mode = 0644 };
	return e;
}

static int open_out(const char *flag, const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (fd < 0)
		kt_err("%s: cannot create %s: %s", flag, path, strerror(errno));
	return fd;
}

/* --console-log and --output-dir: created before boot so a bad path costs no VM. */
static int open_outputs(const struct run_args *a, struct session *s)
{
	char path[4200];

	if (a->output_dir) {
		if (mkdir(a->output_dir, 0755) < 0 && errno != EEXIST) {
			kt_err("--output-dir: cannot create %s: %s", a->output_dir, strerror(errno));
			return -1;
		}
		snprintf(path, sizeof(path), "%s/console.log", a->output_dir);
		s->console_log_fd = open_out("--output-dir", path);
		snprintf(path, sizeof(path), "%s/report.bin", a->output_dir);
		s->raw_fd = open_out("--output-dir", path);
		if (s->console_log_fd < 0 || s->raw_fd < 0)
			return -1;
	}
	if (a->console_log) {
		if (s->console_log_fd >= 0)
			close(s->console_log_fd);
		s->console_log_fd = open_out("--console-log", a->console_log);
		if (s->console_log_fd < 0)
			return -1;
	}
	return 0;
}

/* The job: the file, then the command line's shorthands over it (host/jobfile.c). */
static int build_job(struct run_args *a, struct jobspec *js)
{
	struct job_src src;
	char why[512];
	int ret = 0;

	jobsrc_init(&src);
	src.default_workers = topology_vcpus(&a->vo.vm.topo);
	/* No job at all: the default job, spin on every vCPU for 2 s. */
	if (!a->jobfile && !a->cli.n && !a->cli.nsec)
		src.default_duration_ms = 2000;
	if (a->jobfile)
		jobsrc_load_file(&src, a->jobfile);
	if (jobsrc_merge(&src, &a->cli) < 0 || jobsrc_compile(&src, js) < 0) {
		fprintf(stderr, "%s\n", src.err[0] ? src.err : "out of memory");
		kt_err("%u error%s in the job; nothing was booted", src.nerr,
		       src.nerr == 1 ? "" : "s");
		ret = -1;
	} else if (job_check_vm(&js->job, topology_vcpus(&a->vo.vm.topo), a->vo.vm.topo.nodes, why,
				sizeof(why)) < 0) {
		kt_err("%s: %s", a->jobfile ? a->jobfile : "job", why);
		jobspec_free(js);
		ret = -1;
	}
	jobsrc_free(&src);
	return ret;
}

/* Frames the session leaves to the caller: for now, one line per worker report. */
static void print_frame(void *ctx, const struct kt_frame *f)
{
	const struct kt_job *j = ctx;
	struct kt_worker_report r;
	static const char *const status[] = { "done", "exited", "killed", "timed out", "short" };

	if (f->type == KT_MSG_JOB)
		return;
	if (f->type != KT_MSG_WORKER || kt_dec_worker(f, &r) < 0) {
		kt_err("unexpected or malformed %s frame (type %u) from the guest; ignored",
		       kt_msg_name(f->type), f->type);
		return;
	}
	printf("worker %s/%u tid %u: %s, %llu work units, cpu %.1f ms, wall %.1f ms%s\n",
	       r.group < j->ngroups ? j->groups[r.group].name : "?", r.index, r.tid,
	       r.status <= KT_W_SHORT ? status[r.status] : "?",
	       (unsigned long long)r.work_units, r.cpu_ns / 1e6, r.wall_ns / 1e6,
	       r.policy == KT_POLICY_EXT ? ", SCHED_EXT" : "");
}

/* Everything after argument parsing: kernel, modules, initramfs, the VM session. */
static int run_job(struct run_args *a, struct jobspec *js)
{
	struct kt_job *job = &js->job;
	struct initrd_entry schedent = { .path = job->scheduler, .host = js->scheduler_host,
					 .mode = 0755 };
	struct kt_wbuf jobbuf = { 0 };
	struct session s;
	struct kernel_info k;
	struct modset ms = { 0 };
	struct initrd_entry *base = NULL;
	char why[1024], init[4096], tmpl[4096], path[4200], bb[4096], append[4096];
	char (*modpaths)[160] = NULL, *order = NULL;
	struct initrd_opts io = { .init = init };
	struct initrd_entry jobent = { .path = "/ktstr/job", .mode = 0644 };
	static struct plan plan;
	struct lockset locks = { 0 };
	struct judge jd;
	char topo[32];
	struct run_meta meta = { .source = "run", .topology = topo };
	const char *tmp = getenv("TMPDIR");
	size_t nbase = 0;
	struct stat st;
	uint64_t t0 = kt_now_ms(), spent;
	char schedk[4096];
	const char *spec = a->vo.kernel;
	int ret, r;

	/* A scheduler from the cache and no --kernel: the kernel it was built for. */
	if (!spec && scx_kernel_for(js->scheduler_host, schedk, sizeof(schedk)) == 0)
		spec = schedk;
	r = kernel_resolve(spec, &k, why, sizeof(why));
	if (r < 0) {
		kt_err("%s%s", r == -2 ? "" : "--kernel: ", why);
		return KT_EXIT_USAGE;
	}
	if (initrd_find_init(init, sizeof(init)) < 0) {
		kt_err("ktstr-init not found next to ktstr or in ../libexec/ktstr (set KTSTR_INIT)");
		return KT_EXIT_INFRA;
	}
	a->vo.vm.accel = machine_pick_accel(a->vo.vm.accel, a->verbose);
	a->vo.vm.tcg_single = machine_tcg_single(a->vo.vm.accel, topology_vcpus(&a->vo.vm.topo),
						 job, 1);
	if (check_kvm_vcpus(a) < 0)
		return KT_EXIT_USAGE;
	if (kt_job_encode(&jobbuf, 0, job) < 0) {
		kt_err("the job does not fit in one frame");
		kt_wbuf_free(&jobbuf);
		return KT_EXIT_USAGE;
	}
	/* Host CPUs for the VM's life: the locks go at the end (or with the process);
	 * taken before signals are blocked, so Ctrl-C can end --wait-locks. */
	ret = locks_reserve_run(&a->vo.vm.topo, a->perf, a->cpu_cap, a->wait_locks_s * 1000LL,
				a->verbose, &plan, &locks);
	if (ret != KT_EXIT_PASS) {
		kt_wbuf_free(&jobbuf);
		return ret;
	}
	a->vo.vm.plan = &plan;
	a->vo.vm.verbose = a->verbose;
	oversubscribed_note(a, &plan);
	/* Signals wait in a signalfd from here on, so cleanup below always runs. */
	if (session_block_signals() < 0) {
		kt_err("blocking signals: %s", strerror(errno));
		kt_wbuf_free(&jobbuf);
		locks_release(&locks);
		return KT_EXIT_INFRA;
	}
	r = modules_resolve(&k, a->modules_dir, a->modules, &ms);
	if (r == 0)
		r = modules_add_needed(&k, a->modules_dir, &ms, a->verbose);
	if (r < 0) {
		ret = r == -1 ? KT_EXIT_USAGE : KT_EXIT_INFRA;
		goto free_mods;
	}
	order = modules_order_text(&ms);
	modpaths = calloc(ms.n + 1, sizeof(*modpaths));
	base = order && modpaths ? base_entries(js->scheduler_host[0] ? &schedent : NULL, &ms,
						order, modpaths, &nbase) : NULL;
	if (!base) {
		kt_err("out of memory");
		ret = KT_EXIT_INFRA;
		goto free_mods;
	}
	snprintf(tmpl, sizeof(tmpl), "%s/ktstr-run.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(tmpl)) {
		kt_err("creating a run directory %s: %s", tmpl, strerror(errno));
		ret = KT_EXIT_INFRA;
		goto free_mods;
	}
	snprintf(path, sizeof(path), "%s/initrd.cpio", tmpl);
	/*
	 * The cached base (init, busybox, the scheduler and its libraries, modules) plus a
	 * suffix with the job (see host/initrd.h), then the sentinel archive last
	 * (host/initrd_tail.h).
	 */
	io.busybox = initrd_find_busybox(bb, sizeof(bb)) == 0 ? bb : NULL;
	io.compress = a->compress;
	io.verbose = a->verbose;
	jobent.data = jobbuf.buf;
	jobent.len = jobbuf.len;
	if (initrd_write(&io, base, nbase, &jobent, 1, path) < 0 ||
	    initrd_append_tail(path, initrd_pad_mib_from_env(), a->compress == INITRD_LZ4) < 0 ||
	    stat(path, &st) < 0) {
		unlink(path);
		rmdir(tmpl);
		ret = KT_EXIT_INFRA;
		goto free_mods;
	}
	if (!a->vo.vm.mem_mib)
		a->vo.vm.mem_mib = machine_default_mem_mib((size_t)st.st_size,
							topology_vcpus(&a->vo.vm.topo), a->vo.vm.topo.nodes);
	/*
	 * The init checks the archive's last file only when told it is there. It reports the
	 * topology it sees for -v, and for the JSON result (--json, --output-dir).
	 */
	snprintf(append, sizeof(append), "ktstr.sentinel=1%s%s%s",
		 a->verbose || a->json || a->output_dir ? " ktstr.topo=1" : "",
		 a->vo.vm.append ? " " : "",
		 a->vo.vm.append ? a->vo.vm.append : "");
	a->vo.vm.append = append;
	a->vo.vm.kernel = k.image;
	a->vo.vm.initrd = path;
	if (a->verbose) {
		kt_note("kernel %s (%s, found as %s)", k.image,
			k.version[0] ? k.version : "version unknown", k.source);
		if (ms.n || ms.builtin)
			kt_note("modules: %zu files from %s, %zu built in", ms.n,
				a->modules_dir ? a->modules_dir : k.modules, ms.builtin);
		kt_note("memory: %u MiB, initramfs %lld KiB", a->vo.vm.mem_mib,
			(long long)st.st_size / 1024);
	}
	session_init(&s);
	s.verbose = a->verbose;
	s.timeout_ms = a->vo.timeout_ms;
	s.dmesg = a->vo.dmesg ? stderr : NULL;
	s.on_frame = print_frame;
	s.ctx = job;
	if (judge_init(&jd, job, isatty(STDERR_FILENO) && !a->vo.dmesg) < 0) {
		ret = KT_EXIT_INFRA;
		goto out;
	}
	jd.json = a->json;
	jd.junit = a->junit;
	jd.output_dir = a->output_dir;
	jd.verbose = a->verbose;
	if (judge_attach(&jd, &s) < 0 || open_outputs(a, &s) < 0) {
		ret = KT_EXIT_USAGE;
		judge_free(&jd);
		goto out;
	}
	/* --timeout covers the whole run: module resolution and packing count too. */
	spent = kt_now_ms() - t0;
	ret = session_run(&s, &a->vo.vm, a->vo.timeout_ms > (int64_t)spent ?
			  a->vo.timeout_ms - (int64_t)spent : 1);
	meta.kernel = k.image;
	meta.kernel_version = k.version[0] ? k.version : NULL;
	meta.accel = s.vm.kvm ? "kvm" : "tcg";
	meta.seconds = (kt_now_ms() - jd.t0_ms) / 1e3;
	topology_format(&a->vo.vm.topo, topo, sizeof(topo));
	ret = judge_finish(&jd, &s, ret, &meta);
	judge_free(&jd);
	session_free(&s);
out:
	if (s.console_log_fd >= 0)
		close(s.console_log_fd);
	if (s.raw_fd >= 0)
		close(s.raw_fd);
	unlink(path);
	rmdir(tmpl);
free_mods:
	locks_release(&locks);
	kt_wbuf_free(&jobbuf);
	free(base);
	free(modpaths);
	free(order);
	modules_free(&ms);
	return ret;
}

int cmd_run(int argc, char **argv)
{
	struct run_args a = { 0 };
	struct jobspec js;
	int ret;

	jobsrc_init(&a.cli);
	if (parse_args(argc, argv, &a) < 0 || build_job(&a, &js) < 0) {
		jobsrc_free(&a.cli);
		return KT_EXIT_USAGE;
	}
	jobsrc_free(&a.cli);
	if (a.print_job) {
		jobfile_print(stdout, &js);
		jobspec_free(&js);
		return KT_EXIT_PASS;
	}
	ret = run_job(&a, &js);
	jobspec_free(&js);
	return ret;
}
