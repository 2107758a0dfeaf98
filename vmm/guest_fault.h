/*
 * A misbehaving guest is killed, never trusted.  Components that find a guest
 * error (a bad address, a looping descriptor chain, a bad page-table entry)
 * raise it here; the run loop sees `raised` after the current exit and ends
 * the guest with the first reason given ("guest killed: <reason>").
 */
#ifndef LGKVM_GUEST_FAULT_H
#define LGKVM_GUEST_FAULT_H

#include <stdbool.h>

struct guest_fault {
	bool raised;
	char reason[256];
};

/* Records the reason unless one is already recorded: the first cause wins. */
void guest_fault_raise(struct guest_fault *f, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static inline void guest_fault_clear(struct guest_fault *f)
{
	f->raised = false;
	f->reason[0] = '\0';
}

#endif
