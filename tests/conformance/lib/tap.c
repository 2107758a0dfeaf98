/* TAP output for the runner (scripts/conformance). */
#include <stdarg.h>

#include "runtime.h"

static unsigned tap_number, tap_failed;

int ok(int cond, const char *name)
{
	tap_number++;
	if (!cond)
		tap_failed++;
	kprintf("%sok %u - %s\n", cond ? "" : "not ", tap_number, name);
	return cond;
}

int okf(int cond, const char *fmt, ...)
{
	char name[160];
	va_list ap;

	va_start(ap, fmt);
	kvsnprintf(name, sizeof(name), fmt, ap);
	va_end(ap);
	return ok(cond, name);
}

int is_u32(uint32_t got, uint32_t expected, const char *name)
{
	tap_number++;
	if (got == expected) {
		kprintf("ok %u - %s\n", tap_number, name);
		return 1;
	}
	tap_failed++;
	kprintf("not ok %u - %s # got %#x expected %#x\n", tap_number, name, got, expected);
	return 0;
}

void skip(const char *name, const char *why)
{
	tap_number++;
	kprintf("ok %u - %s # SKIP %s\n", tap_number, name, why);
}

void diag(const char *fmt, ...)
{
	char line[200];
	va_list ap;

	va_start(ap, fmt);
	kvsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	kprintf("# %s\n", line);
}

unsigned tap_failures(void)
{
	return tap_failed;
}

void tap_done(void)
{
	kprintf("1..%u\n", tap_number);
	power_off();
}

void bail_out(const char *fmt, ...)
{
	char line[200];
	va_list ap;

	va_start(ap, fmt);
	kvsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	kprintf("Bail out! %s\n", line);
	panic(line);
}
