/* GDT entries through LHCALL_LOAD_GDT_ENTRY and LHCALL_LOAD_TLS. */
#ifndef CONF_SEGMENTS_H
#define CONF_SEGMENTS_H

#include <stdint.h>

#define SEG_TYPE_DATA_RW 0x2
#define SEG_TYPE_CODE_RX 0xA
#define SEG_GDT(index, rpl) (((index) << 3) | (rpl))

/* A present, 32-bit, page-granular (4 GiB limit when limit_pages=0xFFFFF)
 * code or data descriptor. */
uint64_t seg_desc(uint32_t base, uint32_t limit_pages, unsigned type, unsigned dpl);
void gdt_load(unsigned index, uint64_t desc);
void tls_load(const uint64_t desc[3]);

static inline __attribute__((always_inline)) void set_fs(uint32_t sel) { asm volatile("movl %0, %%fs" : : "r"(sel)); }
static inline __attribute__((always_inline)) void set_gs(uint32_t sel) { asm volatile("movl %0, %%gs" : : "r"(sel)); }

#endif
