#include "vmm/kvm_engine.h"

#include <cpuid.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#define TSS_AVAILABLE 9
#define TSS_BUSY 11

static bool module_loaded(const char *sysfs, const char *name)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", sysfs, name);
	return access(path, F_OK) == 0;
}

/* A KVM module's boolean parameter: "Y"/"N" or "1"/"0"; -1 when absent. */
static int module_flag(const char *sysfs, const char *module, const char *param)
{
	char path[512], v[8] = "";
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s/parameters/%s", sysfs, module, param);
	if (!(f = fopen(path, "r")))
		return -1;
	if (!fgets(v, sizeof(v), f))
		v[0] = '\0';
	fclose(f);
	if (v[0] == 'Y' || v[0] == 'y' || v[0] == '1')
		return 1;
	if (v[0] == 'N' || v[0] == 'n' || v[0] == '0')
		return 0;
	return -1;
}

void kvm_engine_classify(struct kvm_engine *e, const char *sysfs_modules,
			 const char *cpu_vendor, const char *hypervisor)
{
	memset(e, 0, sizeof(*e));
	e->nested_paging = -1;
	if (hypervisor)
		snprintf(e->hypervisor, sizeof(e->hypervisor), "%s", hypervisor);
	if (module_loaded(sysfs_modules, "kvm_pvm")) {
		e->kind = ENGINE_PVM;
	} else if (module_loaded(sysfs_modules, "kvm_amd")) {
		e->kind = ENGINE_SVM;
		e->nested_paging = module_flag(sysfs_modules, "kvm_amd", "npt");
	} else if (module_loaded(sysfs_modules, "kvm_intel")) {
		e->kind = ENGINE_VMX;
		e->nested_paging = module_flag(sysfs_modules, "kvm_intel", "ept");
	} else if (cpu_vendor && !strcmp(cpu_vendor, "GenuineIntel")) {
		e->kind = ENGINE_VMX;  /* KVM built in: judge by the CPU */
	} else if (cpu_vendor && (!strcmp(cpu_vendor, "AuthenticAMD") ||
				  !strcmp(cpu_vendor, "HygonGenuine"))) {
		e->kind = ENGINE_SVM;
	} else {
		e->kind = ENGINE_UNKNOWN;
	}
	e->tr_type = e->kind == ENGINE_SVM ? TSS_AVAILABLE : TSS_BUSY;
	e->emulates_compat = e->kind == ENGINE_PVM;
}

static void cpuid_string(unsigned leaf, char out[13])
{
	unsigned a, b, c, d;

	__cpuid(leaf, a, b, c, d);
	if (leaf == 0) { /* vendor: ebx, edx, ecx */
		memcpy(out, &b, 4);
		memcpy(out + 4, &d, 4);
		memcpy(out + 8, &c, 4);
	} else {         /* hypervisor signature: ebx, ecx, edx */
		memcpy(out, &b, 4);
		memcpy(out + 4, &c, 4);
		memcpy(out + 8, &d, 4);
	}
	out[12] = '\0';
}

void kvm_engine_detect(struct kvm_engine *e)
{
	char vendor[13], hv[13] = "";
	unsigned a, b, c, d;

	cpuid_string(0, vendor);
	__cpuid(1, a, b, c, d);
	if (c & (1u << 31)) /* running under a hypervisor */
		cpuid_string(0x40000000, hv);
	kvm_engine_classify(e, "/sys/module", vendor, hv);
}

static const char *hypervisor_name(const char *sig)
{
	static const struct { const char *sig, *name; } known[] = {
		{ "TCGTCGTCGTCG", "QEMU TCG (emulated)" },
		{ "KVMKVMKVM", "KVM" },
		{ "Microsoft Hv", "Hyper-V" },
		{ "VMwareVMware", "VMware" },
		{ "XenVMMXenVMM", "Xen" },
	};
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (!strcmp(sig, known[i].sig))
			return known[i].name;
	return sig;
}

void kvm_engine_describe(const struct kvm_engine *e, char *buf, size_t len)
{
	static const char *names[] = {
		[ENGINE_VMX] = "hardware KVM, Intel VMX",
		[ENGINE_SVM] = "hardware KVM, AMD SVM",
		[ENGINE_PVM] = "kvm_pvm (compatibility mode emulated)",
		[ENGINE_UNKNOWN] = "KVM of unknown kind (treated as hardware)",
	};
	const char *paging = e->kind == ENGINE_PVM      ? ""
			     : e->nested_paging == 1    ? " with nested paging"
			     : e->nested_paging == 0    ? " with shadow paging"
							: "";
	char nested[64] = "";

	if (e->hypervisor[0] && e->kind != ENGINE_PVM)
		snprintf(nested, sizeof(nested), ", nested in %s",
			 hypervisor_name(e->hypervisor));
	snprintf(buf, len,
		 "%s%s%s; TR type %u; fallbacks: port I/O after #GP, rdmsr/wrmsr, cli/sti%s",
		 names[e->kind], paging, nested, e->tr_type,
		 e->emulates_compat ? ", int n/int3/into/iret, x87, cpuid by CPUID "
				      "faulting, SSE2+ hidden" : "");
}

void kvm_engine_fix_tr(const struct kvm_engine *e, struct kvm_sregs *s)
{
	s->tr.type = e->tr_type;
}

int kvm_engine_open_dev(void)
{
	int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC), version;

	if (fd < 0) {
		if (errno == ENOENT || errno == ENODEV || errno == ENXIO)
			fprintf(stderr, "lgkvm: no /dev/kvm here: load kvm-intel or "
					"kvm-amd (modprobe) on a CPU with VMX or SVM, "
					"or run lgkvm through scripts/in-kvm (a nested-KVM VM)\n");
		else if (errno == EACCES || errno == EPERM)
			fprintf(stderr, "lgkvm: no permission to open /dev/kvm: run "
					"as root or join the group that owns it (usually kvm)\n");
		else
			fprintf(stderr, "lgkvm: cannot open /dev/kvm: %s (is a KVM "
					"module loaded? scripts/in-kvm runs lgkvm in a "
					"nested-KVM VM)\n", strerror(errno));
		return -1;
	}
	version = ioctl(fd, KVM_GET_API_VERSION, 0);
	if (version != KVM_API_VERSION) {
		fprintf(stderr, "lgkvm: /dev/kvm speaks KVM API version %d, lgkvm "
				"needs %d\n", version, KVM_API_VERSION);
		close(fd);
		return -1;
	}
	return fd;
}
