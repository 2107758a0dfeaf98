/* Shared between the files of hypercalls/: not for the rest of lgkvm. */
#ifndef LGKVM_LGUEST_INTERNAL_H
#define LGKVM_LGUEST_INTERNAL_H

#include "hypercalls/lguest_host.h"

/* lguest_data is known good once initialized (checked at LGUEST_INIT). */
void lguest_data_read(struct lguest_host *h, uint32_t off, uint32_t *val);
void lguest_data_write(struct lguest_host *h, uint32_t off, const uint32_t *val);

void lguest_set_stack(struct lguest_host *h, uint32_t seg, uint32_t esp,
		      uint32_t pages);
void lguest_load_idt_entry(struct lguest_host *h, uint32_t num, uint32_t lo,
			   uint32_t hi);
void lguest_load_gdt_entry(struct lguest_host *h, uint32_t num, uint32_t lo,
			   uint32_t hi);
void lguest_load_tls(struct lguest_host *h, uint32_t gtls);

/* A Guest descriptor made safe for the hardware GDT. */
uint64_t lguest_fixup_descriptor(uint64_t d);

#endif
