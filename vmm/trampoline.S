/*
 * The ring-0 trampoline: every guest trap and interrupt enters here through
 * a 64-bit IDT gate.  It saves the registers it uses, exits to the VMM with
 * one `out`, then does what the VMM left in the control block (rewrite shadow
 * entries, load CR3) and returns to the guest with iretq.  The VMM edits the
 * frame on this stack to deliver a trap, return from one, or resume.
 *
 * Software interrupts (system calls) and #DE/#UD from guest user mode that
 * the guest handles itself are reflected here, without an exit, when the
 * VMM has marked the vector in ctl_reflect: the 32-bit frame lguest gives
 * goes on the kernel stack from SET_STACK and the iretq goes to the guest's
 * handler.  A page fault while writing that frame (the stack not shadowed
 * yet, or clean) abandons the reflection: the trap then exits as usual.
 *
 * This blob is copied into the host area; it is position independent and
 * only ever runs inside the VM.  Keep it short: on kvm_pvm each instruction
 * here is emulated.
 */
#define TRAMPOLINE_PORT 0xe5
#define KICK_VECTOR 0x100
#define HOST_KICK_VECTOR 0xf0	/* host_area.h: the VMM's injected kick */
#define TOUCH_MAX 500
#define REFLECT_VALID (1 << 32)
#define REFLECT_IRQ_GATE (1 << 33)
#define GUEST_KERNEL_CS 0x61
/* Flags a trap clears (TF NT RF VM) and sets (IF, bit 1) in the real EFLAGS. */
#define CLEAR_FLAGS 0x34100
#define FORCE_FLAGS 0x202
#define EFLAGS_IF 0x200

/* Offsets into the ring-0 frame common builds (struct trampoline_frame). */
#define F_VECTOR 32
#define F_RIP 48
#define F_CS 56
#define F_RFLAGS 64
#define F_RSP 72
#define F_SS 80

	.section .rodata.lgkvm_trampoline, "a"
	.code64
	.globl lgkvm_trampoline_start, lgkvm_trampoline_end
	.globl lgkvm_trampoline_stubs, lgkvm_trampoline_resume, lgkvm_trampoline_out
	.balign 4096
lgkvm_trampoline_start:
ctl_new_cr3:	.quad 0
ctl_ntouch:	.quad 0
ctl_exit_again:	.quad 0
ctl_flush:	.quad 0
ctl_touch:	.fill TOUCH_MAX, 8, 0
ctl_irq_enabled_va:	.quad 0	/* lguest_data.irq_enabled, mapped for us */
ctl_esp1:	.long 0
ctl_ss1:	.long 0
ctl_reflected:	.quad 0	/* traps reflected without an exit */
ctl_reflect_rsp:	.quad 0	/* the frame being reflected, for the fixup */
ctl_reflect:	.fill 256, 8, 0	/* per vector: handler | VALID | IRQ_GATE */

	.balign 16
lgkvm_trampoline_resume:
	/* Entered by the VMM with a complete frame on the stack (rbx..ss). */
	jmp	resume

	.balign 16
common:
	push	%rax
	push	%rcx
	push	%rdx
	push	%rbx
	mov	F_VECTOR(%rsp), %rax
	/* The VMM's kick taken in here: KVM injects an interrupt at entry
	 * whatever IF says, so one queued for the guest can arrive as the
	 * vCPU resumes here.  Drop its frame and exit again from the one it
	 * interrupted, which is complete (it is at the exit or at resume). */
	testb	$3, F_CS(%rsp)
	jnz	1f
	cmp	$HOST_KICK_VECTOR, %rax
	jne	1f
	mov	F_RSP(%rsp), %rsp
	jmp	5f
1:	cmp	$14, %rax
	je	page_fault
	/* Only from guest user mode (CPL 3): a kernel trap keeps its frame
	 * on the current stack, which the VMM builds. */
	movzbl	F_CS(%rsp), %ecx
	and	$3, %ecx
	cmp	$3, %ecx
	jne	exit_to_vmm
	lea	ctl_reflect(%rip), %rdx
	mov	(%rdx,%rax,8), %rbx	/* vectors are < 256 here */
	bt	$32, %rbx
	jnc	exit_to_vmm
	/* Reflect: the frame [eip, cs, eflags, esp, ss] below esp1. */
	mov	%rsp, ctl_reflect_rsp(%rip)
	mov	ctl_esp1(%rip), %ecx
	sub	$20, %ecx
	mov	ctl_irq_enabled_va(%rip), %rdx
	mov	(%rdx), %edx
	and	$EFLAGS_IF, %edx
	mov	F_RFLAGS(%rsp), %eax
	and	$~(EFLAGS_IF | 0x3000), %eax	/* the guest sees its virtual IF, IOPL 0 */
	or	%edx, %eax
reflect_write_start:
	mov	%eax, 8(%rcx)
	mov	F_RIP(%rsp), %eax
	mov	%eax, (%rcx)
	mov	F_CS(%rsp), %eax
	mov	%eax, 4(%rcx)
	mov	F_RSP(%rsp), %eax
	mov	%eax, 12(%rcx)
	mov	F_SS(%rsp), %eax
	mov	%eax, 16(%rcx)
reflect_write_end:
	/* The frame is there: enter the handler at CPL 1. */
	mov	%rcx, F_RSP(%rsp)
	mov	ctl_ss1(%rip), %eax
	mov	%rax, F_SS(%rsp)
	movq	$GUEST_KERNEL_CS, F_CS(%rsp)
	mov	%ebx, %eax
	mov	%rax, F_RIP(%rsp)
	mov	F_RFLAGS(%rsp), %rax
	and	$~CLEAR_FLAGS, %rax
	or	$FORCE_FLAGS, %rax
	mov	%rax, F_RFLAGS(%rsp)
	bt	$33, %rbx
	jnc	1f
	mov	ctl_irq_enabled_va(%rip), %rdx
	movl	$0, (%rdx)		/* an interrupt gate: virtual IF off */
1:	incq	ctl_reflected(%rip)
	jmp	resume

page_fault:
	/* A fault writing a reflected frame: drop this frame and exit with
	 * the trap being reflected instead. */
	testb	$3, F_CS(%rsp)
	jnz	exit_to_vmm
	lea	reflect_write_start(%rip), %rax
	cmp	%rax, F_RIP(%rsp)
	jb	exit_to_vmm
	lea	reflect_write_end(%rip), %rax
	cmp	%rax, F_RIP(%rsp)
	jae	exit_to_vmm
	mov	ctl_reflect_rsp(%rip), %rsp
exit_to_vmm:
lgkvm_trampoline_out:
	out	%al, $TRAMPOLINE_PORT
resume:
	mov	ctl_ntouch(%rip), %rcx
	test	%rcx, %rcx
	jz	2f
	lea	ctl_touch(%rip), %rdx
1:	mov	-8(%rdx,%rcx,8), %rax
	mov	(%rax), %rbx
	mov	%rbx, (%rax)
	dec	%rcx
	jnz	1b
	movq	$0, ctl_ntouch(%rip)
	movq	$1, ctl_flush(%rip)
2:	mov	ctl_new_cr3(%rip), %rax
	test	%rax, %rax
	jnz	3f
	cmpq	$0, ctl_flush(%rip)
	jz	4f
	mov	%cr3, %rax
3:	mov	%rax, %cr3
	movq	$0, ctl_new_cr3(%rip)
	movq	$0, ctl_flush(%rip)
4:	cmpq	$0, ctl_exit_again(%rip)
	jnz	5f
	pop	%rbx
	pop	%rdx
	pop	%rcx
	pop	%rax
	add	$16, %rsp
	iretq
5:	movq	$0, ctl_exit_again(%rip)
	movq	$KICK_VECTOR, 32(%rsp)
	jmp	exit_to_vmm

	/* One stub per vector, 16 bytes apart; vectors without a CPU error
	 * code push a zero so every frame has the same shape. */
	.balign 16
lgkvm_trampoline_stubs:
	.altmacro
	.macro stub v
	.balign 16
	.if (\v == 8) || ((\v >= 10) && (\v <= 14)) || (\v == 17) || (\v == 21) || (\v == 29) || (\v == 30)
	.else
	pushq	$0
	.endif
	pushq	$\v
	jmp	common
	.endm
	.set vec, 0
	.rept 256
	stub %vec
	.set vec, vec + 1
	.endr
lgkvm_trampoline_end:
	.section .note.GNU-stack, "", @progbits
