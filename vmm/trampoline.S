/*
 * The ring-0 trampoline: every guest trap and interrupt enters here through
 * a 64-bit IDT gate.  It saves the registers it uses, exits to the VMM with
 * one `out`, then does what the VMM left in the control block (rewrite shadow
 * entries, load CR3) and returns to the guest with iretq.  The VMM edits the
 * frame on this stack to deliver a trap, return from one, or resume.
 *
 * This blob is copied into the host area; it is position independent and
 * only ever runs inside the VM.  Keep it short: on kvm_pvm each instruction
 * here is emulated.
 */
#define TRAMPOLINE_PORT 0xe5
#define KICK_VECTOR 0x100
#define TOUCH_MAX 500

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
