// SPDX-License-Identifier: GPL-2.0-only
#include "vm.h"
#include "util.h"
#include "pin.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#define QBOOT "/usr/share/qemu/qboot.rom"
#define MAX_ARGS (64 + 4 * TOPO_MAX_NODES + 2 * TOPO_MAX_NODES * TOPO_MAX_NODES)

/* Kernel parameters ktstr always passes; documented in README "Kernel parameters". */
static const char base_append[] =
	"console=ttyS0 panic=-1 oops=panic reboot=t rdinit=/init "
	"i8042.noaux=1 i8042.nokbd=1 i8042.nopnp=1 tsc=reliable";

/*
 * /dev/kvm opening read-write is not enough: under nested virtualisation without the
 * vmx/svm CPU flag (e.g. a Firecracker guest) the device exists and answers ioctls, but
 * QEMU aborts setting MSRs on the first vCPU. So KVM also needs the flag in cpuinfo.
 */
static int cpu_has_virt_flag(void)
{
	FILE *f = fopen("/proc/cpuinfo", "re");
	char line[8192];
	int found = 0;

	if (!f)
		return 0;
	while (!found && fgets(line, sizeof(line), f)) {
		if (strncmp(line, "flags", 5))
			continue;
		found = strstr(line, " vmx") || strstr(line, " svm");
		break;
	}
	fclose(f);
	return found;
}

const char *vm_kvm_unusable_reason(void)
{
	int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);

	if (fd < 0)
		return errno == ENOENT ? "no /dev/kvm" : "/dev/kvm cannot be opened read-write";
	close(fd);
	if (!cpu_has_virt_flag())
		return "the CPU shows no vmx/svm flag: nested virtualisation is off";
	return NULL;
}

int vm_parse_accel(const char *s, enum vm_accel *out)
{
	if (!strcmp(s, "auto"))
		*out = VM_ACCEL_AUTO;
	else if (!strcmp(s, "kvm"))
		*out = VM_ACCEL_KVM;
	else if (!strcmp(s, "tcg"))
		*out = VM_ACCEL_TCG;
	else {
		kt_err("--accel: '%s' is not one of auto, kvm, tcg", s);
		return -1;
	}
	return 0;
}

int vm_kvm_usable(void)
{
	return vm_kvm_unusable_reason() == NULL;
}

static const char *qemu_binary(void)
{
	const char *q = getenv("KTSTR_QEMU");

	return q && *q ? q : "qemu-system-x86_64";
}

int vm_start(const struct vm_config *cfg, struct vm *vm)
{
	char smp[128], mem[32], append[4096], con[64], rep[64], ser[64], qmp[64];
	const char *argv[MAX_ARGS];
	struct topo_args numa;
	int rep_sv[2] = { -1, -1 }, con_sv[2] = { -1, -1 }, err_p[2] = { -1, -1 };
	int ser_sv[2] = { -1, -1 };
	int qmp_sv[2] = { -1, -1 }, perf = cfg->plan && cfg->plan->mode == PLAN_PERF;
	cpu_set_t affinity;
	int argc = 0, nullfd;
	pid_t pid;

	memset(vm, 0, sizeof(*vm));
	vm->report_fd = vm->console_fd = vm->stderr_fd = vm->serial_fd = -1;
	vm->kvm = cfg->accel == VM_ACCEL_KVM;
	if (cfg->accel == VM_ACCEL_AUTO) {
		const char *why = vm_kvm_unusable_reason();

		vm->kvm = !why;
		if (why)
			kt_note("KVM not usable (%s): using TCG, timings are emulated", why);
	}

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, rep_sv) ||
	    socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, con_sv) ||
	    socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, ser_sv) ||
	    pipe2(err_p, O_CLOEXEC) ||
	    (perf && socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, qmp_sv))) {
		kt_err("creating channels for QEMU: %s", strerror(errno));
		goto fail;
	}
	snprintf(smp, sizeof(smp), "%u,sockets=%u,dies=%u,cores=%u,threads=%u",
		 topology_vcpus(&cfg->topo), cfg->topo.nodes, cfg->topo.llcs / cfg->topo.nodes,
		 cfg->topo.cores, cfg->topo.threads);
	snprintf(mem, sizeof(mem), "%uM", cfg->mem_mib);
	snprintf(append, sizeof(append), "%s%s%s", base_append, cfg->append ? " " : "",
		 cfg->append ? cfg->append : "");
	snprintf(con, sizeof(con), "socket,id=con,fd=%d", con_sv[1]);
	snprintf(rep, sizeof(rep), "socket,id=rep,fd=%d", rep_sv[1]);
	snprintf(ser, sizeof(ser), "socket,id=ser1,fd=%d", ser_sv[1]);

	argv[argc++] = qemu_binary();
	argv[argc++] = "-nodefaults";
	argv[argc++] = "-no-user-config";
	argv[argc++] = "-display";
	argv[argc++] = "none";
	argv[argc++] = "-no-reboot";
	argv[argc++] = "-machine";
	argv[argc++] = cfg->machine ? cfg->machine : "q35";
	argv[argc++] = "-accel";
	argv[argc++] = vm->kvm ? "kvm" : cfg->tcg_single ? "tcg,thread=single" : "tcg";
	argv[argc++] = "-cpu";
	/*
	 * TCG's "max" CPU says AuthenticAMD without topoext, and Linux then shares the L3
	 * across the whole package; as GenuineIntel it reads CPUID leaves 4 and 0x1f and sees
	 * one L3 per die, which is what --topology asks for.
	 */
	argv[argc++] = vm->kvm ? "host" : "max,vendor=GenuineIntel";
	if (access(QBOOT, R_OK) == 0) {	/* skips SeaBIOS's option-ROM scan */
		argv[argc++] = "-bios";
		argv[argc++] = QBOOT;
	}
	argv[argc++] = "-smp";
	argv[argc++] = smp;
	argv[argc++] = "-m";
	argv[argc++] = mem;
	numa.used = 0;
	if (topology_qemu_args(&cfg->topo, cfg->mem_mib, cfg->numa_dist, &numa, argv, &argc,
			       MAX_ARGS - 32) < 0) {
		kt_err("too many QEMU arguments for the NUMA layout");
		goto fail;
	}
	argv[argc++] = "-kernel";
	argv[argc++] = cfg->kernel;
	argv[argc++] = "-initrd";
	argv[argc++] = cfg->initrd;
	argv[argc++] = "-append";
	argv[argc++] = append;
	argv[argc++] = "-chardev";
	argv[argc++] = con;
	argv[argc++] = "-serial";
	argv[argc++] = "chardev:con";
	/* ttyS1: where the init reports when the kernel has no virtio console */
	argv[argc++] = "-chardev";
	argv[argc++] = ser;
	argv[argc++] = "-serial";
	argv[argc++] = "chardev:ser1";
	argv[argc++] = "-device";
	argv[argc++] = "virtio-serial-pci,id=vser";
	argv[argc++] = "-chardev";
	argv[argc++] = rep;
	argv[argc++] = "-device";
	argv[argc++] = "virtserialport,bus=vser.0,chardev=rep,name=org.ktstr.report";
	argv[argc++] = "-monitor";
	argv[argc++] = "none";
	if (perf) {	/* QMP, to learn the vCPU thread ids for pinning */
		snprintf(qmp, sizeof(qmp), "socket,id=qmp,fd=%d", qmp_sv[1]);
		argv[argc++] = "-chardev";
		argv[argc++] = qmp;
		argv[argc++] = "-mon";
		argv[argc++] = "chardev=qmp,mode=control";
	}
	if (cfg->plan)
		pin_cpuset(cfg->plan, &affinity);
	argv[argc] = NULL;

	nullfd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (nullfd < 0) {
		kt_err("open /dev/null: %s", strerror(errno));
		goto fail;
	}
	pid = fork();
	if (pid < 0) {
		kt_err("fork for QEMU: %s", strerror(errno));
		close(nullfd);
		goto fail;
	}
	if (pid == 0) {
		sigset_t none;

		/* Only async-signal-safe calls from here to exec. */
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		prctl(PR_SET_PDEATHSIG, SIGKILL);	/* no QEMU outlives ktstr */
		setpgid(0, 0);		/* terminal Ctrl-C goes to ktstr, which stops QEMU */
		dup2(nullfd, 0);
		dup2(err_p[1], 1);
		dup2(err_p[1], 2);
		fcntl(con_sv[1], F_SETFD, 0);
		fcntl(rep_sv[1], F_SETFD, 0);
		fcntl(ser_sv[1], F_SETFD, 0);
		if (perf)
			fcntl(qmp_sv[1], F_SETFD, 0);
		if (cfg->plan && sched_setaffinity(0, sizeof(affinity), &affinity) < 0) {
			dprintf(2, "ktstr: confining QEMU to its planned CPUs: %s\n", strerror(errno));
			_exit(127);
		}
		execvp(argv[0], (char *const *)argv);
		dprintf(2, "ktstr: cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(nullfd);
	close(con_sv[1]);
	close(rep_sv[1]);
	close(ser_sv[1]);
	close(err_p[1]);
	vm->pid = pid;
	vm->report_fd = rep_sv[0];
	vm->console_fd = con_sv[0];
	vm->stderr_fd = err_p[0];
	vm->serial_fd = ser_sv[0];
	if (cfg->plan) {
		int r;

		if (perf)
			close(qmp_sv[1]);
		r = pin_qemu(pid, qmp_sv[0], cfg->plan, cfg->verbose);
		if (perf)
			close(qmp_sv[0]);
		if (r < 0) {
			vm_stop(vm);
			return -1;
		}
	}
	return 0;
fail:
	for (int i = 0; i < 2; i++) {
		if (rep_sv[i] >= 0)
			close(rep_sv[i]);
		if (con_sv[i] >= 0)
			close(con_sv[i]);
		if (err_p[i] >= 0)
			close(err_p[i]);
		if (ser_sv[i] >= 0)
			close(ser_sv[i]);
		if (qmp_sv[i] >= 0)
			close(qmp_sv[i]);
	}
	return -1;
}

int vm_reap(struct vm *vm, int block)
{
	pid_t r;

	if (!vm->pid)
		return 1;
	do
		r = waitpid(vm->pid, &vm->status, block ? 0 : WNOHANG);
	while (r < 0 && errno == EINTR);
	if (r == vm->pid || (r < 0 && errno == ECHILD)) {
		vm->pid = 0;
		return 1;
	}
	return 0;
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

void vm_stop(struct vm *vm)
{
	if (vm->pid && !vm_reap(vm, 0)) {
		kill(vm->pid, SIGKILL);
		vm_reap(vm, 1);
	}
	close_fd(&vm->report_fd);
	close_fd(&vm->console_fd);
	close_fd(&vm->stderr_fd);
	close_fd(&vm->serial_fd);
}
