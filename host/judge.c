// SPDX-License-Identifier: GPL-2.0-only
#include "judge.h"
#include "checks.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

static int check_path(const char *flag, const char *path)
{
	char tmp[4200];
	struct stat st;
	int fd;

	if (!path || !strcmp(path, "-"))
		return 0;
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		if (S_ISDIR(st.st_mode)) {
			kt_err("%s: %s is a directory", flag, path);
			return -1;
		}
		return 0;	/* a device or FIFO: written in place */
	}
	/* The file is written through a temporary next to it: that must be creatable. */
	snprintf(tmp, sizeof(tmp), "%s.tmp.%d", path, (int)getpid());
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0) {
		kt_err("%s: cannot create %s: %s", flag, path, strerror(errno));
		return -1;
	}
	close(fd);
	unlink(tmp);
	return 0;
}

int judge_check_paths(const char *json, const char *junit)
{
	if (json && junit && !strcmp(json, "-") && !strcmp(junit, "-")) {
		kt_err("--json - and --junit - cannot both write to stdout");
		return -1;
	}
	return check_path("--json", json) < 0 || check_path("--junit", junit) < 0 ? -1 : 0;
}

int judge_init(struct judge *jd, const struct kt_job *job, int progress)
{
	memset(jd, 0, sizeof(*jd));
	jd->saved_stdout = -1;
	result_init(&jd->r);
	if (result_set_job(&jd->r, job) < 0) {
		kt_err("out of memory copying the job");
		return -1;
	}
	for (uint32_t g = 0; g < job->ngroups; g++)
		if (job->groups[g].duration_ms > jd->duration_ms)
			jd->duration_ms = job->groups[g].duration_ms;
	jd->progress = progress;
	jd->t0_ms = kt_now_ms();
	return 0;
}

static void clear_progress(struct judge *jd)
{
	if (jd->drawn) {
		fputs("\r\033[K", stderr);
		fflush(stderr);
		jd->drawn = 0;
	}
}

/* Before the session prints anything about a frame, the progress line gets out of its way. */
static void observe(void *ctx, const struct kt_frame *f)
{
	struct judge *jd = ctx;

	clear_progress(jd);
	result_frame(&jd->r, f);
}

static uint32_t reports(const struct result *r, int expected)
{
	uint32_t n = 0;

	for (uint32_t g = 0; r->have_job && g < r->job.ngroups; g++)
		n += expected ? r->groups[g].nslots : r->groups[g].nreports;
	return n;
}

static void tick(void *ctx, const struct session *s)
{
	struct judge *jd = ctx;
	uint64_t now = kt_now_ms();
	char line[160];
	size_t n;

	if (strcmp(jd->stage, s->last_stage)) {
		snprintf(jd->stage, sizeof(jd->stage), "%s", s->last_stage);
		if (!strcmp(jd->stage, "workers"))
			jd->workers_ms = now;
	}
	if (!jd->progress)
		return;
	n = (size_t)snprintf(line, sizeof(line), "ktstr: %.1f s, ", (now - jd->t0_ms) / 1e3);
	if (!s->have_hello)
		snprintf(line + n, sizeof(line) - n, "booting the kernel");
	else if (!strcmp(jd->stage, "workers") && jd->workers_ms)
		snprintf(line + n, sizeof(line) - n, "workers running: %.1f of %.1f s",
			 (now - jd->workers_ms) / 1e3, jd->duration_ms / 1e3);
	else
		snprintf(line + n, sizeof(line) - n, "stage %s, %u of %u worker reports",
			 jd->stage[0] ? jd->stage : "start", reports(&jd->r, 0),
			 reports(&jd->r, 1));
	fprintf(stderr, "\r\033[K%s", line);
	fflush(stderr);
	jd->drawn = 1;
}

static int doc_on_stdout(const struct judge *jd)
{
	return (jd->json && !strcmp(jd->json, "-")) || (jd->junit && !strcmp(jd->junit, "-"));
}

int judge_attach(struct judge *jd, struct session *s)
{
	s->observe = observe;
	s->tick = tick;
	s->octx = jd;
	if (!doc_on_stdout(jd))
		return 0;
	fflush(stdout);
	jd->saved_stdout = fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3);
	if (jd->saved_stdout < 0 || dup2(STDERR_FILENO, STDOUT_FILENO) < 0) {
		kt_err("keeping stdout for the document: %s", strerror(errno));
		return -1;
	}
	return 0;
}

static void restore_stdout(struct judge *jd)
{
	if (jd->saved_stdout < 0)
		return;
	fflush(stdout);
	if (dup2(jd->saved_stdout, STDOUT_FILENO) < 0)
		kt_err("restoring stdout: %s", strerror(errno));
	close(jd->saved_stdout);
	jd->saved_stdout = -1;
}

/* Why the session gave up, when it did (it printed the details on stderr already). */
static void session_why(const struct session *s, int status, char *why, size_t wsz)
{
	if (s->con.panic[0])
		snprintf(why, wsz, "kernel panic: %s", s->con.panic);
	else if (s->timed_out)
		snprintf(why, wsz, "timed out; last stage: %s",
			 s->last_stage[0] ? s->last_stage : "(none)");
	else if (!s->have_exit)
		snprintf(why, wsz, "the VM stopped before the guest reported EXIT");
	else
		snprintf(why, wsz, "the session ended with status %d", status);
}

/* DIR/scheduler.log: the last lines of the scheduler's output, from its SCHED_EXIT. */
static int write_sched_log(const struct judge *jd)
{
	const struct kt_sched_exit *e = &jd->r.sched;
	char path[4200];
	int fd;

	if (!jd->r.sched_exited)
		return 0;
	snprintf(path, sizeof(path), "%s/scheduler.log", jd->output_dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || kt_write_all(fd, e->log, strlen(e->log)) < 0) {
		kt_err("--output-dir: writing %s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (close(fd) < 0) {
		kt_err("--output-dir: writing %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

int judge_finish(struct judge *jd, const struct session *s, int status, const struct run_meta *m)
{
	struct verdict vd = { 0 };
	char why[600] = "", path[4200];

	clear_progress(jd);
	restore_stdout(jd);
	if (s->signo)
		return status;	/* interrupted: the user is gone, leave no half verdict */
	jd->r.dec = s->dec.st;
	if (checks_run(&jd->r, &vd) < 0) {
		kt_err("out of memory running the checks");
		verdict_free(&vd);
		return KT_EXIT_INFRA;
	}
	if (status == KT_EXIT_INFRA && !s->have_exit)
		session_why(s, status, why, sizeof(why));
	else
		status = checks_exit_status(&jd->r, &vd, why, sizeof(why));
	if (checks_note_status(&vd, status, why) < 0)
		status = KT_EXIT_INFRA;
	if (!doc_on_stdout(jd))
		output_summary(stdout, &jd->r, &vd, status, why, output_use_colour(stdout),
			       jd->verbose);
	if (jd->json && output_json("--json", jd->json, &jd->r, &vd, status, why, m) < 0)
		status = KT_EXIT_INFRA;
	if (jd->junit && junit_write(&vd, jd->r.job.name, m && m->seconds > 0 ? m->seconds : 0,
				     jd->junit) < 0)
		status = KT_EXIT_INFRA;
	if (jd->output_dir) {
		snprintf(path, sizeof(path), "%s/result.json", jd->output_dir);
		if (output_json("--output-dir", path, &jd->r, &vd, status, why, m) < 0 ||
		    write_sched_log(jd) < 0)
			status = KT_EXIT_INFRA;
	}
	verdict_free(&vd);
	return status;
}

void judge_free(struct judge *jd)
{
	restore_stdout(jd);
	result_free(&jd->r);
}
