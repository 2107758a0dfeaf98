/*
 * User mode (CPL 3): code and data in the image's .user sections, mapped at
 * USER_BASE; a user stack below USER_STACK_TOP; system calls via int $0x80.
 */
#ifndef CONF_USER_H
#define CONF_USER_H

#include <stdint.h>
#include "mmu.h"

#define USER_TEXT __attribute__((section(".user.text"), noinline, used))
#define USER_DATA __attribute__((section(".user.data")))

#define SYS_EXIT 1 /* leave user mode with code %ebx */
#define SYS_ECHO 2 /* returns %ebx + 1 and records the frame */

/* user_call() result when user mode ended in a trap: flag | vector. */
#define USER_TRAPPED 0x80000000u

struct syscall_record {
	uint32_t count, nr, arg;
	uint32_t eip, cs, eflags, esp, ss;
	uint32_t frame_top;   /* stack pointer before the Host pushed the frame */
	uint32_t irq_enabled; /* lguest_data.irq_enabled in the handler */
};
extern volatile struct syscall_record syscall_last;

void user_init(void);               /* user stack + mappings in boot_pgdir */
void user_map(pgd_t *pgdir);        /* the same mappings in another pgdir */
uint32_t user_call(void *fn, uint32_t a0, uint32_t a1, uint32_t a2);
uint32_t user_run(uint32_t eip, uint32_t esp); /* entry.S */
__attribute__((noreturn)) void user_exit(uint32_t code); /* entry.S */
extern const char user_return_stub[];

/* User-mode probes (user.c): a read or write at CPL 3 that may fault;
 * u_probe_eip/u_probe_esp hold the access's eip and the user %esp. */
extern volatile uint32_t u_probe_eip, u_probe_esp;
uint32_t u_probe_read(uint32_t va);
uint32_t u_probe_write(uint32_t va, uint32_t value);

/* The kernel's view of a .user.data variable: through the direct map, not
 * the user mapping, so the kernel never relies on reaching user pages. */
static inline void *user_kaddr(const volatile void *uva)
{
	return phys_to_virt((uint32_t)__user_phys + ((uint32_t)uva - USER_BASE));
}
#define USER_READ(var) (*(volatile __typeof__(var) *)user_kaddr(&(var)))

static inline __attribute__((always_inline)) uint32_t user_syscall(uint32_t nr, uint32_t arg)
{
	asm volatile("int $0x80" : "+a"(nr) : "b"(arg) : "memory");
	return nr;
}

#endif
