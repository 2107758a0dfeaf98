/*
 * hostile: LHCALL_LOAD_GDT_ENTRY of usable DPL 1 segments into the slots
 * the Host keeps: 10 and 11 (lguest's LGUEST_CS/DS, lgkvm's own ring-0
 * code and data), 16 (the TSS) and 31 (the double-fault TSS).  lguest
 * ignored these entries (ignored_gdt()); so does lgkvm.  The guest goes
 * on and checks that loading each selector still faults with #GP.
 */
#include "runtime.h"

static int load_fs_faults(uint32_t sel)
{
	uint32_t n = trap_count, at;

	asm volatile(TRAP_ARM "movl %1, %%fs" TRAP_END : "=&r"(at) : "r"(sel) : "memory");
	set_fs(0);
	return trap_count != n && trap_last.vector == 13 && trap_last.error == (sel & ~3u) && trap_last.eip == at;
}

static int far_jump_faults(uint32_t sel)
{
	static struct __attribute__((packed)) {
		uint32_t offset;
		uint16_t sel;
	} target;
	uint32_t n = trap_count, at;

	target.sel = sel;
	/* Were the jump taken, it would land right after itself. */
	asm volatile("movl $2f, %1\n\t" TRAP_ARM "ljmp *(%2)" TRAP_END
		     : "=&r"(at), "=m"(target.offset)
		     : "r"(&target)
		     : "memory");
	return trap_count != n && trap_last.vector == 13 && trap_last.error == (sel & ~3u) && trap_last.eip == at;
}

void guest_main(void)
{
	static const unsigned data_slots[] = { GDT_ENTRY_LGUEST_DS, GDT_ENTRY_TSS, GDT_ENTRY_DOUBLEFAULT_TSS };
	unsigned i;

	kprintf("expect-survive: ^refused: GDT entries 10, 11, 16 and 31 stay the Host's\n");
	gdt_load(GDT_ENTRY_LGUEST_CS, seg_desc(0, 0xFFFFF, SEG_TYPE_CODE_RX, 1));
	for (i = 0; i < ARRAY_SIZE(data_slots); i++)
		gdt_load(data_slots[i], seg_desc(0, 0xFFFFF, SEG_TYPE_DATA_RW, 1));
	if (!far_jump_faults(SEG_GDT(GDT_ENTRY_LGUEST_CS, 1)))
		bail_out("a far jump to GDT entry %u did not fault with #GP (vector %u error %#x)", GDT_ENTRY_LGUEST_CS,
			 trap_last.vector, trap_last.error);
	for (i = 0; i < ARRAY_SIZE(data_slots); i++)
		if (!load_fs_faults(SEG_GDT(data_slots[i], 1)))
			bail_out("loading GDT entry %u did not fault with #GP (vector %u error %#x)", data_slots[i],
				 trap_last.vector, trap_last.error);
	kprintf("refused: GDT entries 10, 11, 16 and 31 stay the Host's\n");
	power_off();
}
