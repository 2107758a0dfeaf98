#include "vmm/host_area.h"

#include <string.h>

extern const uint8_t lgkvm_trampoline_start[], lgkvm_trampoline_end[];
extern const uint8_t lgkvm_trampoline_stubs[], lgkvm_trampoline_resume[];
extern const uint8_t lgkvm_trampoline_out[];

#define PTE_P 0x1ull
#define PTE_W 0x2ull
#define PTE_PS 0x80ull

/* 64-bit ring-0 code, ring-0 data: flat, accessed bit preset. */
#define DESC_CODE64_DPL0 0x00af9b000000ffffull
#define DESC_DATA_DPL0 0x00cf93000000ffffull
/* The guest's boot segments (lguest's setup_guest_gdt): flat 32-bit, DPL 1. */
#define DESC_CODE32_DPL1 0x00cfbb000000ffffull
#define DESC_DATA32_DPL1 0x00cfb3000000ffffull

static uint64_t tss_base(void)
{
	return HOST_AREA_VA + HOST_TSS_OFF;
}

uint64_t host_area_tss_desc_lo(void)
{
	uint64_t b = tss_base();
	/* limit 0x67, type 9 (available 64-bit TSS), present, DPL 0 */
	return HOST_TSS_LIMIT | ((b & 0xffffffull) << 16) | (0x89ull << 40) |
	       (((b >> 24) & 0xffull) << 56);
}

/* Which vectors guest code may raise with `int n` without a #GP: int3 and
 * into (as on hardware), the hypercall vector from the guest kernel, and
 * the external range (the VMM then applies the guest's own gate DPL). */
static unsigned gate_dpl(unsigned v)
{
	if (v == 0x1f)
		return 1;
	if (v == HOST_KICK_VECTOR)
		return 0;
	return (v == 3 || v == 4 || v >= 0x20) ? 3 : 0;
}

uint64_t host_area_init(struct host_area *ha, void *mem, uint64_t pool_bytes)
{
	uint8_t *m = mem;
	size_t blob = (size_t)(lgkvm_trampoline_end - lgkvm_trampoline_start);
	uint64_t tramp_va = HOST_AREA_VA + HOST_TRAMPOLINE_OFF;

	memset(m, 0, HOST_AREA_SIZE);
	ha->mem = m;
	ha->gdt = (uint64_t *)(m + HOST_GDT_OFF);
	ha->ctl = (struct trampoline_ctl *)(m + HOST_TRAMPOLINE_OFF);
	memcpy(m + HOST_TRAMPOLINE_OFF, lgkvm_trampoline_start, blob);
	ha->stub_base_va =
		tramp_va + (uint64_t)(lgkvm_trampoline_stubs - lgkvm_trampoline_start);
	ha->resume_va =
		tramp_va + (uint64_t)(lgkvm_trampoline_resume - lgkvm_trampoline_start);
	ha->out_va =
		tramp_va + (uint64_t)(lgkvm_trampoline_out - lgkvm_trampoline_start);

	/* GDT */
	ha->gdt[HOST_CS_SEL / 8] = DESC_CODE64_DPL0;
	ha->gdt[HOST_DS_SEL / 8] = DESC_DATA_DPL0;
	ha->gdt[12] = DESC_CODE32_DPL1;
	ha->gdt[13] = DESC_DATA32_DPL1;
	ha->gdt[HOST_TSS_SEL / 8] = host_area_tss_desc_lo();
	ha->gdt[HOST_TSS_SEL / 8 + 1] = tss_base() >> 32;

	/* IDT: 64-bit interrupt gates to the per-vector stubs. */
	uint64_t *idt = (uint64_t *)(m + HOST_IDT_OFF);
	for (unsigned v = 0; v < 256; v++) {
		uint64_t off = ha->stub_base_va + 16ull * v;
		idt[2 * v] = (off & 0xffff) | ((uint64_t)HOST_CS_SEL << 16) |
			     ((0x8eull | (gate_dpl(v) << 5)) << 40) |
			     (((off >> 16) & 0xffff) << 48);
		idt[2 * v + 1] = off >> 32;
	}

	/* TSS: RSP0 is the trampoline stack.  The I/O bitmap lets every port
	 * through to a KVM exit, from any CPL: engines that emulate decide port
	 * access by the bitmap alone, and the VMM itself refuses ports to
	 * guest user mode (a #GP, as lguest's Host gave). */
	uint8_t *tss = m + HOST_TSS_OFF;
	uint64_t rsp0 = HOST_AREA_VA + HOST_STACK_TOP_OFF;
	memcpy(tss + 4, &rsp0, 8);
	uint16_t iomap = 0x68;
	memcpy(tss + 0x66, &iomap, 2);
	tss[0x68 + 8192] = 0xff; /* the bitmap's required terminating byte */

	/* Upper-half tables: PDPT[510] -> PD; PD[0] maps this area, PD[1..]
	 * map the shadow-table pool with 2 MiB pages, supervisor only. */
	uint64_t *pdpt = (uint64_t *)(m + HOST_PDPT_OFF);
	uint64_t *pd = (uint64_t *)(m + HOST_PD_OFF);
	pdpt[510] = (HOST_AREA_GPA + HOST_PD_OFF) | PTE_P | PTE_W;
	pd[0] = HOST_AREA_GPA | PTE_P | PTE_W | PTE_PS;
	for (uint64_t i = 0; i < pool_bytes >> 21 && i < 510; i++)
		pd[1 + i] = (POOL_GPA + (i << 21)) | PTE_P | PTE_W | PTE_PS;
	pd[511] = (HOST_AREA_GPA + HOST_WINDOW_PT_OFF) | PTE_P | PTE_W;
	ha->window_pte = (uint64_t *)(m + HOST_WINDOW_PT_OFF);

	return (HOST_AREA_GPA + HOST_PDPT_OFF) | PTE_P | PTE_W;
}
