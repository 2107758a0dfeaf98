/*
 * Test Anything Protocol output: "ok N - name", "not ok N - name # got X
 * expected Y", then the plan "1..N" and power-off (scripts/conformance reads
 * this).  Lines starting with "#" are diagnostics.
 */
#ifndef CONF_TAP_H
#define CONF_TAP_H

#include <stdint.h>

int ok(int cond, const char *name);
int okf(int cond, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int is_u32(uint32_t got, uint32_t expected, const char *name);
void skip(const char *name, const char *why);
void diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Prints the plan and powers off. */
__attribute__((noreturn)) void tap_done(void);
__attribute__((noreturn)) void bail_out(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
unsigned tap_failures(void);

#endif
