/* User-mode mappings and calls into CPL 3 (entry via iret, exit via int $0x80). */
#include "runtime.h"

static uint32_t user_stack_phys;
uint32_t user_kernel_esp; /* user_run() saves the kernel stack here for user_exit() */
/* Keeps .user.data (its own PT_LOAD) from being empty. */
USER_DATA uint32_t user_data_marker = 0x55534552;

void user_init(void)
{
	if (!user_stack_phys)
		user_stack_phys = page_alloc_phys();
	user_map(boot_pgdir);
}

/* The image's .user sections and the user stack, user-accessible.  Through
 * SET_PTE, so a pgdir the Host already shadows sees them at once. */
void user_map(pgd_t *pgdir)
{
	uint32_t va;

	for (va = USER_BASE; va < (uint32_t)__user_end; va += PAGE_SIZE)
		pte_set(pgdir, va, ((uint32_t)__user_phys + (va - USER_BASE)) | PTE_PRESENT | PTE_RW | PTE_USER);
	pte_set(pgdir, USER_STACK_TOP - PAGE_SIZE, user_stack_phys | PTE_PRESENT | PTE_RW | PTE_USER);
}

/*
 * Run fn(a0, a1, a2) at CPL 3.  The arguments and a return address (a stub
 * that makes the exit system call) go on the user stack through the direct
 * map.  Returns fn's result, or USER_TRAPPED | vector.
 */
uint32_t user_call(void *fn, uint32_t a0, uint32_t a1, uint32_t a2)
{
	uint32_t *top = (uint32_t *)phys_to_virt(user_stack_phys + PAGE_SIZE);
	uint32_t code;

	top[-1] = a2;
	top[-2] = a1;
	top[-3] = a0;
	top[-4] = (uint32_t)user_return_stub;
	code = user_run((uint32_t)fn, USER_STACK_TOP - 16);
	if ((lguest_data.irq_enabled & X86_EFLAGS_IF) && lguest_data.irq_pending)
		hcall_sync(LHCALL_SEND_INTERRUPTS, 0, 0, 0, 0);
	return code;
}

USER_DATA volatile uint32_t u_probe_eip, u_probe_esp;

USER_TEXT uint32_t u_probe_read(uint32_t va)
{
	uint32_t v;

	asm volatile("movl %%esp, u_probe_esp\n\tmovl $1f, u_probe_eip\n1:\tmovl (%1), %0"
		     : "=r"(v)
		     : "r"(va)
		     : "memory");
	return v;
}

USER_TEXT uint32_t u_probe_write(uint32_t va, uint32_t value)
{
	asm volatile("movl %%esp, u_probe_esp\n\tmovl $1f, u_probe_eip\n1:\tmovl %1, (%0)"
		     :
		     : "r"(va), "r"(value)
		     : "memory");
	return 0;
}
