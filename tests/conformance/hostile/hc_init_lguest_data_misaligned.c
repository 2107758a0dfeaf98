/*
 * hostile: LHCALL_LGUEST_INIT with a struct lguest_data at an address that
 * is 2 mod 4 and crosses a page boundary inside hcall_status[] (slots 0-41
 * in one page, 42-63 and all of hcalls[] in the next).  lguest checked
 * only that the range lies in RAM and copied fields by guest-physical
 * address, so this works there (Linux's own lguest_data is an ordinary
 * variable, not page-aligned).  The guest registers it in linear mode,
 * checks what the Host writes, fills the whole ring with LOAD_GDT_ENTRY
 * calls, flushes it, and powers off from linear mode: the runtime's own
 * LGUEST_INIT never happens.
 */
#include "runtime.h"

#define LD 0x00FFFFBEu          /* 66 bytes before 16 MiB */
#define WORDS 0x01002000u       /* one word per ring slot */
#define GDT_PROBE 20

EARLY static void fail(const char *why)
{
	early_puts(why);
	hcall(LHCALL_SHUTDOWN, (uint32_t)why, LGUEST_SHUTDOWN_POWEROFF, 0, 0);
	for (;;)
		hcall(LHCALL_HALT, 0, 0, 0, 0);
}

EARLY static void put32(uint32_t off, uint32_t v)
{
	*(volatile uint32_t *)(LD + off) = v;
}

EARLY static uint32_t get32(uint32_t off)
{
	return *(volatile uint32_t *)(LD + off);
}

/* A flat-limit DPL 1 data segment at base (segments.c's seg_desc). */
EARLY static uint64_t data_desc(uint32_t base)
{
	uint32_t lo = 0xFFFF | (base << 16);
	uint32_t hi = ((base >> 16) & 0xFF) | (0xB2u << 8) | 0xCF0000 | (base & 0xFF000000);

	return ((uint64_t)hi << 32) | lo;
}

EARLY void early_pre_init(void)
{
	volatile uint8_t *ld = (volatile uint8_t *)LD;
	uint32_t i, v;

	early_puts(EARLY_STR("expect-survive: ^survived: a misaligned lguest_data across two pages works\n"));
	for (i = 0; i < sizeof(struct lguest_data); i++)
		ld[i] = 0;
	for (i = 0; i < LHCALL_RING_SIZE; i++)
		ld[LGUEST_DATA_OFFSET(hcall_status) + i] = 0xFF;
	put32(LGUEST_DATA_OFFSET(reserve_mem), LGUEST_DATA_SENTINEL);
	put32(LGUEST_DATA_OFFSET(tsc_khz), LGUEST_DATA_SENTINEL);
	put32(LGUEST_DATA_OFFSET(noirq_iret), (uint32_t)lg_noirq_iret);
	put32(LGUEST_DATA_OFFSET(kernel_address), KERNEL_BASE);
	put32(LGUEST_DATA_OFFSET(syscall_vec), IA32_SYSCALL_VECTOR);

	hcall(LHCALL_LGUEST_INIT, LD, 0, 0, 0);
	if (get32(LGUEST_DATA_OFFSET(reserve_mem)) == LGUEST_DATA_SENTINEL ||
	    get32(LGUEST_DATA_OFFSET(tsc_khz)) == LGUEST_DATA_SENTINEL)
		fail(EARLY_STR("failed: LGUEST_INIT did not write reserve_mem and tsc_khz\n"));
	if ((int32_t)get32(LGUEST_DATA_OFFSET(time)) < 1500000000)
		fail(EARLY_STR("failed: LGUEST_INIT did not write the time\n"));

	/* The whole ring, in order: slot i points the probe segment at word i. */
	for (i = 0; i < LHCALL_RING_SIZE; i++) {
		uint32_t slot = LGUEST_DATA_OFFSET(hcalls) + i * sizeof(struct lguest_hcall_args);
		uint64_t d = data_desc(WORDS + i * 4);

		*(volatile uint32_t *)(WORDS + i * 4) = 0x5107 + i;
		put32(slot, LHCALL_LOAD_GDT_ENTRY);
		put32(slot + 4, GDT_PROBE);
		put32(slot + 8, (uint32_t)d);
		put32(slot + 12, (uint32_t)(d >> 32));
		put32(slot + 16, 0);
		ld[LGUEST_DATA_OFFSET(hcall_status) + i] = 0;
	}
	hcall(LHCALL_FLUSH_ASYNC, 0, 0, 0, 0);
	for (i = 0; i < LHCALL_RING_SIZE; i++)
		if (ld[LGUEST_DATA_OFFSET(hcall_status) + i] != 0xFF)
			fail(EARLY_STR("failed: a ring slot is still pending after FLUSH_ASYNC\n"));
	asm volatile("movl %1, %%fs\n\tmovl %%fs:0, %0" : "=r"(v) : "r"(SEG_GDT(GDT_PROBE, 1)) : "memory");
	set_fs(0);
	if (v != 0x5107 + LHCALL_RING_SIZE - 1)
		fail(EARLY_STR("failed: the ring's calls did not all run, in order\n"));

	early_puts(EARLY_STR("survived: a misaligned lguest_data across two pages works\n"));
	hcall(LHCALL_SHUTDOWN, (uint32_t)EARLY_STR("Power down"), LGUEST_SHUTDOWN_POWEROFF, 0, 0);
	for (;;)
		hcall(LHCALL_HALT, 0, 0, 0, 0);
}

void guest_main(void)
{
	kprintf("the runtime's LGUEST_INIT ran after a misaligned lguest_data\n");
}
