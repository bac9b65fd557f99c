// SPDX-License-Identifier: GPL-2.0-only
/* Job files and CLI shorthands: every key, every error (file:line, section, key), round trip. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "../../host/jobcli.h"
#include "../../host/jobfile.h"

static char dir[64];
static char path[128];
static char err[8192];

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "%s/ktstr-jobfile.XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(dir))
		return -1;
	snprintf(path, sizeof(path), "%s/t.ini", dir);
	return 0;
}

static int teardown(void **state)
{
	char p[160];

	(void)state;
	unlink(path);
	snprintf(p, sizeof(p), "%s/sched", dir);
	unlink(p);
	rmdir(dir);
	return 0;
}

static int parse(const char *text, struct jobspec *js)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	err[0] = '\0';
	return jobfile_parse(path, js, err, sizeof(err));
}

/* Encodes a job to bytes, for byte-exact comparisons. */
static void encode(const struct jobspec *js, struct kt_wbuf *w)
{
	memset(w, 0, sizeof(*w));
	assert_int_equal(kt_job_encode(w, 0, &js->job), 0);
}

static const char full[] =
	"# every key\n"
	"; both comment styles\n"
	"[global]\n"
	"name = everything\n"
	"scheduler = sched\n"
	"scheduler_args = --slice 5 -v\n"
	"scheduler_kind = sched_ext\n"
	"sysctl.kernel.sched_rt_runtime_us = 950000\n"
	"sysctl.kernel.numa_balancing = 0\n"
	"settle = 250ms\n"
	"duration = 2m\n"
	"kernel_warnings = ignore\n"
	"max_gap_ms = 500   # inline comment\n"
	"max_p99_wake_us = 250.5 ; inline comment\n"
	"\n"
	"[hogs]\n"
	"  work = spin\n"
	"workers = 4\n"
	"duration = 500ms\n"
	"cpus = 0-3,6\n"
	"mems = 0\n"
	"nice = -5\n"
	"policy = fifo:10\n"
	"cpu_weight = 200\n"
	"affinity = 1-2\n"
	"mempolicy = interleave:0-1\n"
	"clone = thread\n"
	"starvation = off\n"
	"isolation = on\n"
	"max_spread_pct = 12.5\n"
	"max_p99_timer_us = 80\n"
	"max_throughput_cv = 0.2\n"
	"min_work_rate = 1000\n"
	"max_migration_ratio = 0.01\n"
	"\n"
	"[light]\n"
	"policy = batch\n"
	"max_gap_ms = off\n";

static void write_sched(void)
{
	char p[160];
	FILE *f;

	snprintf(p, sizeof(p), "%s/sched", dir);
	f = fopen(p, "w");
	assert_non_null(f);
	fputs("#!/bin/sh\n", f);
	fclose(f);
	assert_int_equal(chmod(p, 0755), 0);
}

static void test_every_key(void **state)
{
	struct jobspec js;
	const struct kt_job *j = &js.job;
	const struct kt_group *g, *l;

	(void)state;
	write_sched();
	assert_int_equal(parse(full, &js), 0);
	assert_string_equal(j->name, "everything");
	assert_string_equal(j->scheduler, JOB_GUEST_BIN_DIR "/sched");
	assert_non_null(strstr(js.scheduler_host, "/sched"));
	assert_true(js.scheduler_host[0] == '/');
	assert_string_equal(j->scheduler_args, "--slice 5 -v");
	assert_int_equal(j->scheduler_kind, KT_SCHED_EXT);
	assert_int_equal(j->nsysctls, 2);
	assert_string_equal(j->sysctls[0].name, "kernel.sched_rt_runtime_us");
	assert_string_equal(j->sysctls[0].value, "950000");
	assert_string_equal(j->sysctls[1].name, "kernel.numa_balancing");
	assert_int_equal(j->settle_ms, 250);
	assert_int_equal(j->duration_ms, 120000);
	assert_int_equal(j->checks.kernel_warnings, 0);
	assert_true(j->checks.max_gap_ms == 500);
	assert_true(j->checks.max_p99_wake_us == 250.5);
	assert_int_equal(j->ngroups, 2);
	g = &j->groups[0];
	assert_string_equal(g->name, "hogs");
	assert_string_equal(g->work, "spin");
	assert_int_equal(g->workers, 4);
	assert_int_equal(g->duration_ms, 500);
	assert_string_equal(g->cpus, "0-3,6");
	assert_string_equal(g->mems, "0");
	assert_int_equal(g->nice, -5);
	assert_int_equal(g->policy, KT_POLICY_FIFO);
	assert_int_equal(g->rt_priority, 10);
	assert_int_equal(g->cpu_weight, 200);
	assert_string_equal(g->affinity, "1-2");
	assert_string_equal(g->mempolicy, "interleave:0-1");
	assert_int_equal(g->clone_thread, 1);
	assert_int_equal(g->checks.starvation, 0);
	assert_int_equal(g->checks.isolation, 1);
	assert_int_equal(g->checks.kernel_warnings, 0);	/* inherited from [global] */
	assert_true(g->checks.max_spread_pct == 12.5);
	assert_true(g->checks.max_gap_ms == 500);		/* inherited */
	assert_true(g->checks.max_p99_timer_us == 80);
	assert_true(g->checks.max_throughput_cv == 0.2);
	assert_true(g->checks.min_work_rate == 1000);
	assert_true(g->checks.max_migration_ratio == 0.01);
	l = &j->groups[1];
	assert_string_equal(l->name, "light");
	assert_int_equal(l->policy, KT_POLICY_BATCH);
	assert_int_equal(l->duration_ms, 120000);		/* the global default */
	assert_int_equal(l->workers, 1);
	assert_true(isnan(l->checks.max_gap_ms));
	assert_true(l->checks.max_spread_pct == 15);		/* built-in default */
	assert_int_equal(l->checks.isolation, -1);
	assert_int_equal(l->clone_thread, 0);
	jobspec_free(&js);
}

/* --print-job output parses back to the same compiled bytes. */
static void round_trip(const char *text)
{
	struct jobspec a, b;
	struct kt_wbuf wa, wb;
	char *printed = NULL;
	size_t len = 0;
	FILE *m;

	assert_int_equal(parse(text, &a), 0);
	m = open_memstream(&printed, &len);
	assert_non_null(m);
	jobfile_print(m, &a);
	fclose(m);
	if (parse(printed, &b) != 0)
		fail_msg("printed job does not parse: %s\n%s", err, printed);
	encode(&a, &wa);
	encode(&b, &wb);
	assert_int_equal(wa.len, wb.len);
	assert_memory_equal(wa.buf, wb.buf, wa.len);
	kt_wbuf_free(&wa);
	kt_wbuf_free(&wb);
	jobspec_free(&a);
	jobspec_free(&b);
	free(printed);
}

static void test_print_round_trip(void **state)
{
	(void)state;
	write_sched();
	round_trip(full);
	round_trip("[global]\nwork = spin\n");
	round_trip("[global]\nsysctl.net.ipv6.conf.default.accept_ra_rt_info_max_plen = 1\n"
		   "[aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa]\nworkers = 2\n");
	round_trip("[a]\nmax_spread_pct = 0.1\nmax_throughput_cv = 0.3333333333333333\n"
		   "policy = rr:99\nmempolicy = preferred:1\n[b]\nmempolicy = bind:0\n");
}

static void test_implicit_group(void **state)
{
	struct jobspec js;

	(void)state;
	assert_int_equal(parse("[global]\nworkers = 3\nduration = 10s\n", &js), 0);
	assert_int_equal(js.job.ngroups, 1);
	assert_string_equal(js.job.groups[0].name, JOB_IMPLICIT_GROUP);
	assert_int_equal(js.job.groups[0].workers, 3);
	assert_int_equal(js.job.groups[0].duration_ms, 10000);
	jobspec_free(&js);
	/* [global] after the groups still applies to them */
	assert_int_equal(parse("[a]\n[global]\nnice = 3\n", &js), 0);
	assert_int_equal(js.job.ngroups, 1);
	assert_string_equal(js.job.groups[0].name, "a");
	assert_int_equal(js.job.groups[0].nice, 3);
	jobspec_free(&js);
}

struct bad {
	const char *text;
	const char *msg;	/* expected in the errors, after "DIR/" */
};

static const struct bad bad[] = {
	{ "[a]\nwork = spun\n", "t.ini:2: [a] work: unknown work type 'spun'; one of: spin" },
	{ "[a]\nworkers = 0\n", "t.ini:2: [a] workers: '0' is not a whole number from 1 to 4096" },
	{ "[a]\nworkers = lots\n", "t.ini:2: [a] workers: 'lots' is not a whole number" },
	{ "[a]\nduration = soon\n", "t.ini:2: [a] duration: 'soon' is not a duration of at least 1ms (e.g. 500ms, 10s, 2m)" },
	{ "[a]\nduration = 0\n", "t.ini:2: [a] duration: '0' is not a duration" },
	{ "[global]\nsettle = -1s\n", "t.ini:2: [global] settle: '-1s' is not a duration of at least 0ms" },
	{ "[a]\ncpus = 3-1\n", "t.ini:2: [a] cpus: '3-1' is not a list like 0-3,6" },
	{ "[a]\ncpus = 0,,1\n", "t.ini:2: [a] cpus: '0,,1' is not a list" },
	{ "[a]\nmems = x\n", "t.ini:2: [a] mems: 'x' is not a list like 0-3,6" },
	{ "[a]\naffinity = 1-\n", "t.ini:2: [a] affinity: '1-' is not a list" },
	{ "[a]\nnice = -21\n", "t.ini:2: [a] nice: '-21' is not a nice value from -20 to 19" },
	{ "[a]\npolicy = fast\n", "t.ini:2: [a] policy: 'fast' is not one of other, batch, idle, fifo:N, rr:N (N a priority 1-99)" },
	{ "[a]\npolicy = fifo\n", "t.ini:2: [a] policy: 'fifo' is not one of" },
	{ "[a]\npolicy = rr:100\n", "t.ini:2: [a] policy: 'rr:100' is not one of" },
	{ "[a]\npolicy = other:3\n", "t.ini:2: [a] policy: 'other:3' is not one of" },
	{ "[a]\ncpu_weight = 10001\n", "t.ini:2: [a] cpu_weight: '10001' is not a cpu.weight from 1 to 10000" },
	{ "[a]\nmempolicy = bind\n", "t.ini:2: [a] mempolicy: 'bind' is not one of default, local, bind:NODES, interleave:NODES, preferred:NODE" },
	{ "[a]\nclone = fork\n", "t.ini:2: [a] clone: 'fork' is not one of thread, process" },
	{ "[global]\nscheduler = nope\n", "t.ini:2: [global] scheduler: cannot use '" },
	{ "[global]\nscheduler = /\n", "t.ini:2: [global] scheduler: '/' is not an executable file" },
	{ "[global]\nscheduler_kind = bpf\n", "t.ini:2: [global] scheduler_kind: 'bpf' is not one of process, sched_ext" },
	{ "[global]\nscheduler_kind = sched_ext\n", "t.ini:2: [global] scheduler_kind: sched_ext needs a scheduler: set scheduler = PATH" },
	{ "[global]\nname = a b\n", "t.ini:2: [global] name: 'a b' is not a name of 1-63 letters" },
	{ "[global]\nsysctl.a/b = 1\n", "t.ini:2: [global] sysctl.a/b: 'a/b' is not a sysctl name like kernel.sched_rt_runtime_us" },
	{ "[global]\nsysctl.. = 1\n", "t.ini:2: [global] sysctl..: '.' is not a sysctl name" },
	{ "[a]\nsysctl.kernel.x = 1\n", "t.ini:2: [a] sysctl.kernel.x: sysctls are job-wide: set them in [global]" },
	{ "[a]\nscheduler = /bin/sh\n", "t.ini:2: [a] scheduler: only allowed in [global]" },
	{ "[a]\nsettle = 1s\n", "t.ini:2: [a] settle: only allowed in [global]" },
	{ "[a]\nstarvation = maybe\n", "t.ini:2: [a] starvation: 'maybe' is not one of on, off" },
	{ "[a]\nisolation = maybe\n", "t.ini:2: [a] isolation: 'maybe' is not one of on, off, auto" },
	{ "[a]\nkernel_warnings = warn\n", "t.ini:2: [a] kernel_warnings: 'warn' is not one of fail, ignore" },
	{ "[a]\nmax_spread_pct = 101\n", "t.ini:2: [a] max_spread_pct: '101' is not off or a number from 0 to 100" },
	{ "[a]\nmax_gap_ms = -1\n", "t.ini:2: [a] max_gap_ms: '-1' is not off or a number" },
	{ "[a]\nmax_p99_wake_us = nan\n", "t.ini:2: [a] max_p99_wake_us: 'nan' is not off or a number" },
	{ "[a]\nmax_p99_timer_us = x\n", "t.ini:2: [a] max_p99_timer_us: 'x' is not off or a number" },
	{ "[a]\nmax_throughput_cv = inf\n", "t.ini:2: [a] max_throughput_cv: 'inf' is not off or a number" },
	{ "[a]\nmin_work_rate = 1e99\n", "t.ini:2: [a] min_work_rate: '1e99' is not off or a number" },
	{ "[a]\nmax_migration_ratio = 1/2\n", "t.ini:2: [a] max_migration_ratio: '1/2' is not off or a number" },
	{ "[a]\nfrob = 1\n", "t.ini:2: [a] frob: unknown key; group keys: work, workers, duration, cpus" },
	{ "[global]\nfrob = 1\n", "t.ini:2: [global] frob: unknown key; [global] keys: name, scheduler" },
	{ "[a]\nfrob = 1\n", "parameters of work type spin: none" },
	{ "[a]\nworkers = 2\n# c\nworkers = 3\n", "t.ini:4: [a] workers: set twice (first at " },
	{ "workers = 2\n", "t.ini:1: workers: key outside any section; put it under [global] or a [group]" },
	{ "[a]\nnot a key\n", "t.ini:2: syntax error: expected '[section]', 'key = value' or a comment ('#' or ';')" },
	{ "[a\n", "t.ini:1: syntax error" },
	{ "[aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa]\nworkers = 2\n", "t.ini:1: section name longer than 49 characters" },
	{ "[a b]\n", "t.ini:1: [a b]: a group name is 1-49 letters, digits, '_' or '-' (it names the group's cgroup)" },
	{ "[a]\nscheduler_args = x\n", "t.ini:2: [a] scheduler_args: only allowed in [global]" },
};

static void test_errors(void **state)
{
	struct jobspec js;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (parse(bad[i].text, &js) == 0)
			fail_msg("accepted: %s", bad[i].text);
		if (!strstr(err, bad[i].msg))
			fail_msg("for %s\nwanted: %s\ngot: %s", bad[i].text, bad[i].msg, err);
		/* every message starts with the file's path */
		assert_int_equal(strncmp(err, path, strlen(dir)), 0);
	}
}

static void test_long_line_and_all_errors(void **state)
{
	struct jobspec js;
	char text[600];

	(void)state;
	snprintf(text, sizeof(text), "[a]\nnice = 99\nscheduler_args = %0300d\npolicy = x\n", 0);
	assert_int_not_equal(parse(text, &js), 0);
	if (!strstr(err, "t.ini:2: [a] nice:"))
		fail_msg("%s", err);
	assert_non_null(strstr(err, "t.ini:3: line longer than"));
	assert_non_null(strstr(err, "t.ini:4: [a] policy:"));
}

static void test_missing_file(void **state)
{
	struct jobspec js;

	(void)state;
	assert_int_not_equal(jobfile_parse("/nonexistent/j.ini", &js, err, sizeof(err)), 0);
	assert_non_null(strstr(err, "/nonexistent/j.ini: cannot read: No such file or directory"));
}

static void test_cli(void **state)
{
	struct job_src file, cli;
	struct jobspec js;
	int print = 0;

	(void)state;
	jobsrc_init(&file);
	jobsrc_init(&cli);
	assert_int_equal(jobcli_handle(&cli, JOBCLI_WORK, "spin", &print), 1);
	assert_int_equal(jobcli_handle(&cli, JOBCLI_DURATION, "3s", &print), 1);
	assert_int_equal(jobcli_handle(&cli, JOBCLI_GROUP, "x:workers=2,cpus=0-3,6,nice=1", &print), 1);
	assert_int_equal(jobcli_handle(&cli, JOBCLI_GROUP, "y:cpu_weight=50", &print), 1);
	assert_int_equal(jobcli_handle(&cli, JOBCLI_SET, "max_gap_ms=100", &print), 1);
	assert_int_equal(jobcli_handle(&cli, JOBCLI_SYSCTL, "kernel.a=1", &print), 1);
	assert_int_equal(jobcli_handle(&cli, JOBCLI_PRINT_JOB, NULL, &print), 1);
	assert_int_equal(jobcli_handle(&cli, 'k', "x", &print), 0);
	assert_int_equal(print, 1);
	/* a file whose [global] the command line overrides */
	parse("[global]\nduration = 9s\nnice = 2\n[z]\n", &js);
	jobspec_free(&js);
	assert_int_equal(jobsrc_load_file(&file, path), 0);
	assert_int_equal(jobsrc_merge(&file, &cli), 0);
	assert_int_equal(jobsrc_compile(&file, &js), 0);
	assert_int_equal(js.job.ngroups, 3);
	assert_string_equal(js.job.groups[0].name, "z");
	assert_int_equal(js.job.groups[0].duration_ms, 3000);
	assert_int_equal(js.job.groups[0].nice, 2);
	assert_string_equal(js.job.groups[1].name, "x");
	assert_string_equal(js.job.groups[1].cpus, "0-3,6");
	assert_int_equal(js.job.groups[1].workers, 2);
	assert_int_equal(js.job.groups[1].nice, 1);
	assert_int_equal(js.job.groups[2].cpu_weight, 50);
	assert_true(js.job.groups[2].checks.max_gap_ms == 100);
	assert_string_equal(js.job.sysctls[0].name, "kernel.a");
	jobspec_free(&js);
	jobsrc_free(&file);
	jobsrc_free(&cli);

	/* CLI errors name the flag */
	jobsrc_init(&cli);
	jobcli_handle(&cli, JOBCLI_GROUP, "q:policy=slow", &print);
	assert_int_equal(jobcli_handle(&cli, JOBCLI_SET, "novalue", &print), 1);
	jobcli_handle(&cli, JOBCLI_GROUP, ":workers=1", &print);
	jobcli_handle(&cli, JOBCLI_WORKERS, "0", &print);
	assert_int_not_equal(jobsrc_compile(&cli, &js), 0);
	assert_non_null(strstr(cli.err, "--group q: [q] policy: 'slow' is not one of"));
	assert_non_null(strstr(cli.err, "--set: 'novalue' is not KEY=VALUE"));
	assert_non_null(strstr(cli.err, "--group : expected NAME:KEY=VALUE"));
	assert_non_null(strstr(cli.err, "--workers: [global] workers: '0' is not a whole number"));
	jobsrc_free(&cli);
}

static void test_compiled_file(void **state)
{
	struct jobspec js;
	struct kt_job back;
	char out[160], why[128];
	size_t len;
	void *buf;
	FILE *f;

	(void)state;
	assert_int_equal(parse("[a]\nworkers = 2\ncpus = 1\n", &js), 0);
	snprintf(out, sizeof(out), "%s/job.bin", dir);
	assert_int_equal(jobfile_write_compiled(&js, out), 0);
	f = fopen(out, "rb");
	assert_non_null(f);
	buf = malloc(65536);
	len = fread(buf, 1, 65536, f);
	fclose(f);
	unlink(out);
	assert_int_equal(kt_job_decode_buf(buf, len, &back, why, sizeof(why)), 0);
	assert_int_equal(back.ngroups, 1);
	assert_int_equal(back.groups[0].workers, 2);
	assert_string_equal(back.groups[0].cpus, "1");
	kt_job_free(&back);
	free(buf);
	jobspec_free(&js);
}

static void test_check_vm(void **state)
{
	struct jobspec js;
	char why[256];

	(void)state;
	assert_int_equal(parse("[a]\ncpus = 0-1\nmems = 0\n[b]\naffinity = 3\n", &js), 0);
	assert_int_equal(job_check_vm(&js.job, 4, 1, why, sizeof(why)), 0);
	assert_int_equal(job_check_vm(&js.job, 2, 1, why, sizeof(why)), -1);
	assert_string_equal(why, "[b] affinity: 3 names 3, but the VM has 2 vCPUs (0-1; see --topology)");
	jobspec_free(&js);
	assert_int_equal(parse("[a]\nmempolicy = bind:0-1\n", &js), 0);
	assert_int_equal(job_check_vm(&js.job, 1, 1, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "[a] mempolicy: 0-1 names 1, but the VM has 1 NUMA nodes"));
	jobspec_free(&js);
}

static void test_idlist(void **state)
{
	(void)state;
	assert_int_equal(job_idlist_valid("0", 7), 0);
	assert_int_equal(job_idlist_valid("0-3,6", 7), 0);
	assert_int_equal(job_idlist_valid("1,2,3", 7), 0);
	assert_int_not_equal(job_idlist_valid("", 7), 0);
	assert_int_not_equal(job_idlist_valid("8", 7), 0);
	assert_int_not_equal(job_idlist_valid("3-1", 7), 0);
	assert_int_not_equal(job_idlist_valid("1,", 7), 0);
	assert_int_not_equal(job_idlist_valid("-1", 7), 0);
	assert_int_not_equal(job_idlist_valid("1 2", 7), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_key),
		cmocka_unit_test(test_print_round_trip),
		cmocka_unit_test(test_implicit_group),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_long_line_and_all_errors),
		cmocka_unit_test(test_missing_file),
		cmocka_unit_test(test_cli),
		cmocka_unit_test(test_compiled_file),
		cmocka_unit_test(test_check_vm),
		cmocka_unit_test(test_idlist),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
