/*
 * The conformance guests' runtime: everything a test guest includes.
 * A guest defines guest_main(); the runtime boots (entry.S), registers
 * lguest_data, turns paging on, sets up the console, IDT, GDT and stacks,
 * then calls it.  guest_main() ends with tap_done() or power_off().
 */
#ifndef CONF_RUNTIME_H
#define CONF_RUNTIME_H

#include <stddef.h>
#include <stdint.h>

#include "hypercalls/lguest_abi.h"
#include "layout.h"
#include "io.h"
#include "hcall.h"
#include "console.h"
#include "tap.h"
#include "traps.h"
#include "mmu.h"
#include "user.h"
#include "segments.h"
#include "timer.h"

extern volatile struct lguest_data lguest_data;

/* Written into lguest_data before LHCALL_LGUEST_INIT: the Host must overwrite. */
#define LGUEST_DATA_SENTINEL 0xA5A5A5A5u

/* Registers as the Host entered lg_entry. */
struct boot_entry_state {
	uint32_t esi, esp, cs, ds, es, ss, eflags;
};
extern struct boot_entry_state boot_entry_state;

/* What the entry code saw in linear mode, before the first NEW_PGTABLE. */
#define LINEAR_PROBE_MAGIC 0x4C494E45u
struct linear_probe {
	uint32_t hdrs;           /* 32 bits at physical 0x202: "HdrS" */
	uint32_t e820_entries, ram_size;
	uint32_t probe_addr;     /* near the end of RAM */
	uint32_t probe_readback; /* LINEAR_PROBE_MAGIC if the write stuck */
};
extern struct linear_probe linear_probe;

/* lguest_data.time as the runtime first saw it (set by LGUEST_INIT). */
extern struct lguest_timespec boot_time;

/* boot_params, at guest-physical 0, through the direct map. */
#define BOOT_PARAMS (KERNEL_BASE + 0)
#define BP_E820_ENTRIES 0x1e8
#define BP_SETUP_HEADER 0x1f1
#define BP_HDR_MAGIC 0x202
#define BP_VERSION 0x206
#define BP_LOADFLAGS 0x211
#define BP_CMD_LINE_PTR 0x228
#define BP_CMDLINE_SIZE 0x238
#define BP_HARDWARE_SUBARCH 0x23c
#define BP_E820_TABLE 0x2d0
#define KEEP_SEGMENTS 0x40
#define X86_SUBARCH_LGUEST 1

void guest_main(void);
__attribute__((noreturn)) void power_off(void);
__attribute__((noreturn)) void restart(const char *why);
__attribute__((noreturn)) void panic(const char *why); /* a crash, not a power-off */
void runtime_start(void);

/* Entry-code hooks, run in linear mode from .entry.text (see early.c). */
#define EARLY __attribute__((section(".entry.text"), noinline))
#define EARLY_STR(s) ((const char *)PHYS((uint32_t)(s)))
void early_linear_probe(void);
void early_pre_init(void);  /* before LHCALL_LGUEST_INIT */
void early_post_init(void); /* after it, before NEW_PGTABLE */
void early_puts(const char *s); /* s must be a physical address */
uint32_t early_ram_size(void);

void *memset(void *d, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
void *memmove(void *d, const void *s, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strncmp(const char *a, const char *b, size_t n);
char *strstr(const char *h, const char *n);

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#endif
