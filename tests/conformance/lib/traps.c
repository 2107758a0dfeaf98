/*
 * IDT entries (LHCALL_LOAD_IDT_ENTRY), kernel stacks (LHCALL_SET_STACK) and
 * the C half of every trap: record what the Host delivered, then resume,
 * leave user mode, or bail out.
 */
#include "runtime.h"

volatile struct trap_record trap_last, irq_last;
volatile uint32_t trap_count;
volatile uint32_t irq_count[LGUEST_IRQS];
volatile uint32_t trap_resume_eip;
volatile struct syscall_record syscall_last;

uint8_t trap_stack_a[TRAP_STACK_SIZE] __attribute__((aligned(4096)));
uint8_t trap_stack_b[TRAP_STACK_SIZE] __attribute__((aligned(4096)));
uint32_t kernel_stack_current;

volatile uint32_t probe_eip;

static irq_handler_fn irq_handlers[LGUEST_IRQS];
static syscall_hook_fn syscall_hook;

uint32_t trap_stub_addr(unsigned vector)
{
	return (uint32_t)trap_stubs + vector * TRAP_STUB_SIZE;
}

/* The descriptor format of a 32-bit gate; the Host keeps only the handler,
 * present bit, DPL and type, and substitutes its own code segment. */
void idt_set_gate(unsigned vector, uint32_t handler, unsigned type, unsigned dpl)
{
	uint32_t lo = ((uint32_t)(SEL_KERNEL_CS & ~3) << 16) | (handler & 0xFFFF);
	uint32_t hi = (handler & 0xFFFF0000) | 0x8000 | (dpl << 13) | (type << 8);

	hcall_sync(LHCALL_LOAD_IDT_ENTRY, vector, lo, hi, 0);
}

void idt_set_stub(unsigned vector, unsigned type, unsigned dpl)
{
	idt_set_gate(vector, trap_stub_addr(vector), type, dpl);
}

void idt_clear(unsigned vector)
{
	hcall_sync(LHCALL_LOAD_IDT_ENTRY, vector, 0, 0, 0);
}

uint32_t trap_stack_top(int which)
{
	return (uint32_t)(which ? trap_stack_b : trap_stack_a) + TRAP_STACK_SIZE;
}

void kernel_stack_set(uint32_t top)
{
	hcall_sync(LHCALL_SET_STACK, SEL_KERNEL_DS, top, TRAP_STACK_SIZE / PAGE_SIZE, 0);
	kernel_stack_current = top;
}

int probe_read32(uint32_t va, uint32_t *value)
{
	uint32_t n = trap_count, at, v = 0;

	asm volatile(TRAP_ARM "movl (%2), %1" TRAP_END : "=&r"(at), "+r"(v) : "r"(va) : "memory");
	probe_eip = at;
	*value = v;
	return trap_count != n;
}

int probe_write32(uint32_t va, uint32_t value)
{
	uint32_t n = trap_count, at;

	asm volatile(TRAP_ARM "movl %2, (%1)" TRAP_END : "=&r"(at) : "r"(va), "r"(value) : "memory");
	probe_eip = at;
	return trap_count != n;
}

/*
 * The return address is pushed by hand so a fault at va (not at a call
 * instruction) resumes at 2: with it still on the stack, to be dropped.
 */
int probe_exec(uint32_t va, uint32_t *result)
{
	uint32_t n = trap_count, r;

	probe_eip = va;
	asm volatile("movl $2f, trap_resume_eip\n\t"
		     "pushl $1f\n\t"
		     "jmp *%1\n"
		     "2:\taddl $4, %%esp\n"
		     "1:\tmovl $0, trap_resume_eip"
		     : "=a"(r)
		     : "r"(va)
		     : "memory", "cc");
	*result = r;
	return trap_count != n;
}

void irq_set_handler(unsigned irq, irq_handler_fn fn)
{
	irq_handlers[irq] = fn;
}

void syscall_set_hook(syscall_hook_fn fn)
{
	syscall_hook = fn;
}

/*
 * Like Linux: every exception and IRQ vector an interrupt gate, int3 and
 * into callable from user mode, the system call gate at 0x80 with DPL 3.
 * Vectors 2, 8, 15 and 0x1f are loaded too: the Host must ignore them.
 */
void trap_init(void)
{
	unsigned v;

	for (v = 0; v < 32; v++)
		idt_set_stub(v, IDT_INTERRUPT_GATE, (v == 3 || v == 4) ? 3 : 0);
	for (v = FIRST_EXTERNAL_VECTOR; v < FIRST_EXTERNAL_VECTOR + LGUEST_IRQS; v++)
		idt_set_stub(v, IDT_INTERRUPT_GATE, 0);
	idt_set_stub(IA32_SYSCALL_VECTOR, IDT_INTERRUPT_GATE, 3);

	gdt_load(GDT_ENTRY_DEFAULT_USER_CS, seg_desc(0, 0xFFFFF, SEG_TYPE_CODE_RX, 3));
	gdt_load(GDT_ENTRY_DEFAULT_USER_DS, seg_desc(0, 0xFFFFF, SEG_TYPE_DATA_RW, 3));
	kernel_stack_set(trap_stack_top(0));
}

static void syscall_dispatch(struct trap_frame *f, const struct trap_record *r)
{
	/* The exit call ends every user_call(): not worth recording. */
	if (f->eax == SYS_EXIT && r->from_user && !syscall_hook)
		user_exit(f->ebx);
	syscall_last.count++;
	syscall_last.nr = f->eax;
	syscall_last.arg = f->ebx;
	syscall_last.eip = r->eip;
	syscall_last.cs = r->cs;
	syscall_last.eflags = r->eflags;
	syscall_last.esp = r->esp;
	syscall_last.ss = r->ss;
	syscall_last.frame_top = r->frame_top;
	syscall_last.irq_enabled = r->irq_enabled;
	if (syscall_hook && syscall_hook(f))
		return;
	switch (f->eax) {
	case SYS_EXIT:
		if (r->from_user)
			user_exit(f->ebx);
		f->eax = (uint32_t)-22;
		break;
	case SYS_ECHO:
		f->eax = f->ebx + 1;
		break;
	default:
		f->eax = (uint32_t)-38; /* ENOSYS */
	}
}

void trap_dispatch(struct trap_frame *f)
{
	struct trap_record r;
	uint32_t vector = f->vector;

	/* Read these before anything can change them. */
	r.irq_enabled = lguest_data.irq_enabled;
	r.cr2 = lguest_data.cr2;
	r.vector = vector;
	r.error = f->error;
	r.eip = f->eip;
	r.cs = f->cs & 0xFFFF;
	r.eflags = f->eflags;
	r.from_user = (r.cs & 3) == 3;
	r.esp = r.from_user ? f->esp : 0;
	r.ss = r.from_user ? (f->ss & 0xFFFF) : 0;
	r.frame_top = (uint32_t)&f->eip + (r.from_user ? 20 : 12);

	if (vector >= FIRST_EXTERNAL_VECTOR && vector < FIRST_EXTERNAL_VECTOR + LGUEST_IRQS) {
		unsigned irq = vector - FIRST_EXTERNAL_VECTOR;

		irq_last = r;
		irq_count[irq]++;
		if (irq_handlers[irq])
			irq_handlers[irq](irq, f);
		return;
	}
	if (vector == IA32_SYSCALL_VECTOR) {
		syscall_dispatch(f, &r);
		return;
	}

	trap_last = r;
	trap_count++;
	if (r.from_user)
		user_exit(USER_TRAPPED | vector);
	if (trap_resume_eip) {
		f->eip = trap_resume_eip;
		trap_resume_eip = 0;
		return;
	}
	bail_out("unexpected trap %u (error %#x) at eip %#x, cs %#x, cr2 %#x", vector, r.error, r.eip, r.cs,
		 r.cr2);
}
