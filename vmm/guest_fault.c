#include "vmm/guest_fault.h"

#include <stdarg.h>
#include <stdio.h>

void guest_fault_raise(struct guest_fault *f, const char *fmt, ...)
{
	va_list ap;

	if (f->raised)
		return;
	f->raised = true;
	va_start(ap, fmt);
	vsnprintf(f->reason, sizeof(f->reason), fmt, ap);
	va_end(ap);
}
