/*
 * Guest entry, trap stubs, the return-from-trap path and user-mode entry.
 *
 * The Host enters lg_entry at its physical address in linear mode (virtual
 * == physical), at CPL 1, with %esi = 0.  Like Linux's lguest_entry we
 * register lguest_data, switch to our own page tables and jump to the
 * kernel's virtual addresses.
 */
#include "layout.h"
#include "asm_abi.h"

	.section .entry.text, "ax"
	.code32
	.globl lg_entry
lg_entry:
	/* Record what the Host handed us before anything changes it. */
	movl	%esi, PHYS(boot_entry_state) + 0
	movl	%esp, PHYS(boot_entry_state) + 4
	xorl	%eax, %eax
	movw	%cs, %ax
	movl	%eax, PHYS(boot_entry_state) + 8
	movw	%ds, %ax
	movl	%eax, PHYS(boot_entry_state) + 12
	movw	%es, %ax
	movl	%eax, PHYS(boot_entry_state) + 16
	movw	%ss, %ax
	movl	%eax, PHYS(boot_entry_state) + 20
	movl	$PHYS(boot_stack_top), %esp
	pushfl
	popl	PHYS(boot_entry_state) + 24

	/* Zero .bss ourselves: a restarted guest may find old contents. */
	cld
	movl	$PHYS(__bss_start), %edi
	movl	$PHYS(__bss_end), %ecx
	subl	%edi, %ecx
	shrl	$2, %ecx
	xorl	%eax, %eax
	rep stosl

	call	early_linear_probe
	call	early_pre_init

	movl	$ASM_LHCALL_LGUEST_INIT, %eax
	movl	$PHYS(lguest_data), %ebx
	xorl	%ecx, %ecx
	xorl	%edx, %edx
	xorl	%esi, %esi
	int	$ASM_LGUEST_TRAP_ENTRY

	call	early_post_init

	movl	$ASM_LHCALL_NEW_PGTABLE, %eax
	movl	$PHYS(boot_pgdir), %ebx
	xorl	%ecx, %ecx
	xorl	%edx, %edx
	xorl	%esi, %esi
	int	$ASM_LGUEST_TRAP_ENTRY

	/* Paging is on: move to the kernel's virtual addresses. */
	movl	$boot_stack_top, %esp
	movl	$runtime_start, %eax
	jmp	*%eax

/*
 * One 16-byte stub per vector.  Each leaves the same frame for trap_common:
 * vector, error code (0 when the CPU pushes none), then the Host's frame.
 */
	.text
	.balign TRAP_STUB_SIZE
	.globl trap_stubs
trap_stubs:
	.set	vec, 0
	.rept	256
	.balign	TRAP_STUB_SIZE
	.if	(vec == 8) || ((vec >= 10) && (vec <= 14)) || (vec == 17)
	pushl	$vec
	.else
	pushl	$0
	pushl	$vec
	.endif
	jmp	trap_common
	.set	vec, vec + 1
	.endr

	/* A stub of its own, to see an IDT entry replaced at once. */
	.balign	TRAP_STUB_SIZE
	.globl trap_stub_alt
trap_stub_alt:
	pushl	$0
	pushl	$TRAP_ALT_VECTOR
	jmp	trap_common

trap_common:
	pushal
	pushl	%ds
	pushl	%es
	pushl	%fs
	pushl	%gs
	movl	$SEL_KERNEL_DS, %eax
	movl	%eax, %ds
	movl	%eax, %es
	cld
	pushl	%esp
	call	trap_dispatch
	addl	$4, %esp
	popl	%gs
	popl	%fs
	popl	%es
	popl	%ds
	popal
	addl	$8, %esp
	/* fall through */

/*
 * lg_iret: return through the frame at %esp.  Like Linux's lguest_iret we
 * copy the frame's eflags into lguest_data.irq_enabled, then iret at
 * lg_noirq_iret, the one address where the Host promises not to deliver an
 * interrupt (that would nest a frame on top of the one being popped).  A
 * frame with interrupts off restores irq_enabled = 0 and needs no care.
 */
	.globl lg_iret
lg_iret:
	testl	$ASM_X86_EFLAGS_IF, 8(%esp)
	jz	1f
	pushl	8(%esp)
	popl	%ss:lguest_data + ASM_LGUEST_DATA_IRQ_ENABLED
	.globl lg_noirq_iret
lg_noirq_iret:
	iret
1:	movl	$0, %ss:lguest_data + ASM_LGUEST_DATA_IRQ_ENABLED
	iret

/*
 * uint32_t user_run(uint32_t eip, uint32_t esp): enter CPL 3 at eip with the
 * given stack and interrupts on.  Returns the code passed to user_exit(),
 * which a system call or a user-mode trap handler calls.
 */
	.globl user_run
user_run:
	pushl	%ebp
	pushl	%ebx
	pushl	%esi
	pushl	%edi
	pushl	lguest_data + ASM_LGUEST_DATA_IRQ_ENABLED
	movl	%esp, user_kernel_esp
	movl	24(%esp), %eax
	movl	28(%esp), %ecx
	pushl	$SEL_USER_DS
	pushl	%ecx
	pushfl
	orl	$ASM_X86_EFLAGS_IF, (%esp)
	pushl	$SEL_USER_CS
	pushl	%eax
	movl	$SEL_USER_DS, %eax
	movl	%eax, %ds
	movl	%eax, %es
	xorl	%eax, %eax
	movl	%eax, %fs
	movl	%eax, %gs
	xorl	%ebx, %ebx
	xorl	%ecx, %ecx
	xorl	%edx, %edx
	xorl	%esi, %esi
	xorl	%edi, %edi
	xorl	%ebp, %ebp
	jmp	lg_iret

/* void user_exit(uint32_t code): back to user_run's caller, from a trap. */
	.globl user_exit
user_exit:
	movl	4(%esp), %eax
	movl	user_kernel_esp, %esp
	movl	$SEL_KERNEL_DS, %ecx
	movl	%ecx, %ds
	movl	%ecx, %es
	xorl	%ecx, %ecx
	movl	%ecx, %fs
	movl	%ecx, %gs
	popl	lguest_data + ASM_LGUEST_DATA_IRQ_ENABLED
	popl	%edi
	popl	%esi
	popl	%ebx
	popl	%ebp
	ret

/* User code returns here: its return value becomes the exit code. */
	.section .user.text, "ax"
	.globl user_return_stub
user_return_stub:
	movl	%eax, %ebx
	movl	$ASM_SYS_EXIT, %eax
	int	$0x80
	ud2

	.bss
	.balign 16
	.globl boot_stack, boot_stack_top
boot_stack:
	.skip	BOOT_STACK_SIZE
boot_stack_top:

	.section .note.GNU-stack, "", @progbits
