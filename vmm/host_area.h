/*
 * The VMM's private memory: hardware GDT, 64-bit IDT, TSS, the ring-0
 * trampoline and its stack, and the page tables of the upper canonical half.
 *
 * It is a memslot at guest-physical 4 GiB, mapped only at HOST_AREA_VA (PML4
 * entry 511, supervisor-only).  A 32-bit guest cannot name it: compatibility
 * mode reaches only the low 4 GiB of virtual space, and the shadow MMU never
 * maps a guest frame at or above 4 GiB.
 */
#ifndef LGKVM_HOST_AREA_H
#define LGKVM_HOST_AREA_H

#include <stdbool.h>
#include <stdint.h>

#define HOST_AREA_GPA 0x100000000ull
#define HOST_AREA_SIZE 0x200000ull           /* one 2 MiB page */
#define HOST_AREA_VA 0xffffffff80000000ull  /* PML4[511], PDPT[510] */

/* Offsets inside the host area. */
#define HOST_GDT_OFF 0x0000
#define HOST_IDT_OFF 0x1000
#define HOST_TSS_OFF 0x2000      /* TSS and its I/O bitmap: 0x2000-0x4068 */
#define HOST_TRAMPOLINE_OFF 0x5000
#define HOST_TSS_LIMIT (0x68 + 8192)
#define HOST_STACK_TOP_OFF 0xa000
#define HOST_PDPT_OFF 0xa000
#define HOST_PD_OFF 0xb000
/* A page table for one 4 KiB window onto guest RAM (lguest_data's page),
 * at HOST_WINDOW_VA: the last 2 MiB of the upper-half page directory. */
#define HOST_WINDOW_PT_OFF 0xc000
#define HOST_WINDOW_VA (HOST_AREA_VA + (511ull << 21))

/* The shadow page-table pool: its own memslot right after the host area,
 * mapped at HOST_AREA_VA + HOST_AREA_SIZE so the trampoline can write it. */
#define POOL_GPA (HOST_AREA_GPA + HOST_AREA_SIZE)
#define POOL_VA (HOST_AREA_VA + HOST_AREA_SIZE)
#define POOL_MAX_BYTES (510ull << 21)        /* what one page directory maps */

/* Hardware GDT: entries 0..31 are the guest's (with lguest's fix-ups);
 * the VMM keeps 10 and 11 (lguest's own LGUEST_CS/DS slots) and 32-33. */
#define HOST_CS_SEL 0x50      /* 64-bit ring-0 code */
#define HOST_DS_SEL 0x58      /* ring-0 data */
#define HOST_TSS_SEL 0x100    /* 64-bit TSS, two slots */
#define HOST_GDT_ENTRIES 34

/* The trampoline exits to the VMM with `out %al, $TRAMPOLINE_PORT`. */
#define TRAMPOLINE_PORT 0xe5
/* Vector number the trampoline reports when it re-exits on request. */
#define TRAMPOLINE_KICK_VECTOR 0x100
/* The vector the VMM injects (KVM_INTERRUPT) to bring a vCPU running guest
 * user code into the trampoline.  Its gate has DPL 0, so a guest `int $0xf0`
 * is a #GP the VMM can tell apart, not this. */
#define HOST_KICK_VECTOR 0xf0

/*
 * Ring-0 stack frame at the trampoline's exit, lowest address first: the
 * registers the trampoline uses, then what the stub and the CPU pushed.
 */
struct trampoline_frame {
	uint64_t rbx, rdx, rcx, rax;
	uint64_t vector, errcode;
	uint64_t rip, cs, rflags, rsp, ss;
};

/*
 * Control block shared with the trampoline (at the start of its blob).
 * Shadow-table entries the VMM changed in place are rewritten by the vCPU
 * itself before it returns to the guest: an engine that shadows page tables
 * (kvm_pvm, or KVM without EPT/NPT) only notices writes made by the vCPU, and
 * the `mov %cr3` that follows flushes the TLB on hardware.
 */
#define TRAMPOLINE_TOUCH_MAX 500
struct trampoline_ctl {
	uint64_t new_cr3;     /* non-zero: load before returning */
	uint64_t ntouch;      /* entries in touch[] */
	uint64_t exit_again;  /* non-zero: exit once more before returning */
	uint64_t flush;       /* non-zero: reload CR3 (TLB flush) */
	uint64_t touch[TRAMPOLINE_TOUCH_MAX]; /* virtual addresses of entries */
	/* Traps the trampoline reflects into the guest itself (trap_reflect.h). */
	uint64_t irq_enabled_va;  /* lguest_data.irq_enabled, host-area VA */
	uint32_t esp1, ss1;       /* the guest's SET_STACK */
	uint64_t reflected;       /* counted by the trampoline */
	uint64_t reflect_rsp;     /* the trampoline's scratch */
	uint64_t reflect[256];    /* handler | REFLECT_VALID | REFLECT_IRQ_GATE */
};
#define REFLECT_VALID (1ull << 32)
#define REFLECT_IRQ_GATE (1ull << 33)

struct host_area {
	uint8_t *mem;                  /* host mapping of the host area */
	uint64_t *window_pte;          /* maps HOST_WINDOW_VA */
	uint64_t *gdt;
	struct trampoline_ctl *ctl;
	uint64_t stub_base_va;         /* VA of the first per-vector stub */
	uint64_t resume_va;            /* VA where a built frame is resumed */
	uint64_t out_va;               /* VA of the trampoline's exit `out` */
};

/* Fills the GDT, IDT, TSS, trampoline and upper-half tables. `pool_bytes` of
 * pool are mapped.  Returns the PML4 entry every shadow root must carry. */
uint64_t host_area_init(struct host_area *ha, void *mem, uint64_t pool_bytes);

/* Descriptor helpers shared with the segment code. */
uint64_t host_area_tss_desc_lo(void);

#endif
