/*
 * Which KVM runs lgkvm's vCPU, and every difference between engines that
 * lgkvm must care about, decided here and nowhere else.
 *
 *   hardware VMX   Intel: runs compatibility mode natively.  VM entry
 *                  requires TR to be a busy TSS (type 11).
 *   hardware SVM   AMD: runs compatibility mode natively.  The CPU ignores
 *                  TR's busy bit, but QEMU's TCG (the SVM "hardware" of a
 *                  nested-KVM VM) checks the TSS I/O bitmap only for an
 *                  available TSS (type 9) and raises #GP(0) on every port
 *                  access otherwise, so SVM gets type 9.  KVM's SVM reports
 *                  TR as busy whatever was set, so every write of the
 *                  segment registers must set it again (kvm_engine_fix_tr).
 *   kvm_pvm        runs compatibility mode by emulation: no `int n`, int3,
 *                  into, iret or x87, some SSE2 missing, `cpuid` answered
 *                  from the host unless CPUID faulting is on (the
 *                  fallbacks in engine_fallback.c, x87_emulate.c, cpuid.c).
 *                  Takes TR busy (type 11).
 */
#ifndef LGKVM_KVM_ENGINE_H
#define LGKVM_KVM_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct kvm_sregs;

enum kvm_engine_kind { ENGINE_VMX, ENGINE_SVM, ENGINE_PVM, ENGINE_UNKNOWN };

struct kvm_engine {
	enum kvm_engine_kind kind;
	int nested_paging;        /* EPT/NPT: 1 on, 0 off, -1 unknown */
	char hypervisor[13];      /* the host's own hypervisor, "" on metal */
	uint8_t tr_type;          /* TSS type TR must carry at VM entry */
	bool emulates_compat;     /* compatibility mode is emulated (kvm_pvm) */
};

/* From the loaded KVM modules under `sysfs_modules` (/sys/module), else
 * from `cpu_vendor` (the CPUID vendor string: GenuineIntel is VMX,
 * AuthenticAMD and HygonGenuine are SVM).  `hypervisor` may be NULL. */
void kvm_engine_classify(struct kvm_engine *e, const char *sysfs_modules,
			 const char *cpu_vendor, const char *hypervisor);
/* The engine of this machine. */
void kvm_engine_detect(struct kvm_engine *e);

/* One line: the engine, then the fallbacks lgkvm arms for it. */
void kvm_engine_describe(const struct kvm_engine *e, char *buf, size_t len);

/* /dev/kvm opened read-write, API version checked; on failure one line
 * on stderr says what to do, and -1. */
int kvm_engine_open_dev(void);

/* TR as the engine wants it, before any KVM_SET_SREGS. */
void kvm_engine_fix_tr(const struct kvm_engine *e, struct kvm_sregs *s);

#endif
