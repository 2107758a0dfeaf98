/*
 * hostile: LHCALL_SET_STACK with esp 8, so a trap frame from user mode
 * (five words) wraps below address 0 to 0xfffffff4.  A 32-bit CPU wraps
 * the stack at 4 GiB: the frame's first three words go to the top of the
 * address space and the last two to address 0, both mapped here.  The
 * Host runs in 64-bit mode, where 0xfffffff4 + 12 is 4 GiB, outside the
 * guest: the frame must wrap as on i386 and never be written above 4 GiB.
 * (lguest translated esp1 once and pushed downward in guest-physical
 * memory, which is wrong for a frame straddling two pages.)
 */
#include "runtime.h"

#define TOP_PDE (PTRS_PER_PGD - 1)
#define VEC 3 /* int3: a DPL 3 gate lguest also let user mode use */

static volatile uint32_t wrap_esp;
static uint32_t spare_stack[256] __attribute__((used));

/* Note where the frame landed, then leave user mode on a sane stack. */
asm(".text\n"
    "wrap_handler:\n\t"
    "movl %esp, wrap_esp\n\t"
    "movl $spare_stack + 1024, %esp\n\t"
    "pushl $0x77\n\t"
    "pushl $0\n\t"
    "jmp user_exit");
extern const char wrap_handler[];

USER_DATA volatile uint32_t u_eip, u_esp;

USER_TEXT uint32_t u_int3(void)
{
	asm volatile("movl %%esp, u_esp\n\tmovl $1f, u_eip\n\tint3\n1:" : : : "memory");
	return 0;
}

void guest_main(void)
{
	uint32_t top = page_alloc_phys(), zero = page_alloc_phys(), r;
	uint32_t *t = phys_to_virt(top), *z = phys_to_virt(zero);

	kprintf("expect-survive: ^a trap frame wrapping at 4 GiB lands at the top and at 0$\n");
	user_init();
	pgd_set(boot_pgdir, TOP_PDE, page_alloc_phys() | PDE_TABLE);
	pte_set(boot_pgdir, 0xFFFFF000, top | PTE_PRESENT | PTE_RW | PTE_ACCESSED | PTE_DIRTY);
	pte_set(boot_pgdir, 0, zero | PTE_PRESENT | PTE_RW | PTE_ACCESSED | PTE_DIRTY);
	idt_set_gate(VEC, (uint32_t)wrap_handler, IDT_INTERRUPT_GATE, 3);

	hcall_sync(LHCALL_SET_STACK, SEL_KERNEL_DS, 8, 1, 0);
	r = user_call(u_int3, 0, 0, 0);
	kernel_stack_set(trap_stack_top(0));
	idt_set_stub(VEC, IDT_INTERRUPT_GATE, 3);

	is_u32(r, 0x77, "the handler ran");
	is_u32(wrap_esp, 0xFFFFFFF4, "with esp = 8 - 20, wrapped");
	ok(t[1021] == USER_READ(u_eip) && (t[1022] & 0xFFFF) == SEL_USER_CS && (t[1023] & X86_EFLAGS_IF),
	   "eip, cs and eflags at the top of the address space");
	ok(z[0] == USER_READ(u_esp) && (z[1] & 0xFFFF) == SEL_USER_DS, "esp and ss at address 0");
	diag("top: %#x %#x %#x, zero: %#x %#x", t[1021], t[1022], t[1023], z[0], z[1]);

	if (!tap_failures())
		kprintf("a trap frame wrapping at 4 GiB lands at the top and at 0\n");
	power_off();
}
