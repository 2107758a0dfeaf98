/*
 * Which page-table format the guest uses.  lguest's Host was compiled for
 * one or the other; lgkvm chooses per guest, before the guest's first
 * NEW_PGTABLE (until then it runs in linear mode, where the format does not
 * matter).
 *
 * The guess looks at the table the guest hands to its first NEW_PGTABLE:
 * a PAE kernel's initial_page_table is a page-directory-pointer table whose
 * present entries carry only the present bit (head_32.S, PGD_IDENT_ATTR),
 * while a 2-level kernel's page directory entries are writable (0x063 or
 * 0x067).  A wrong choice cannot corrupt anything: the walker of the wrong
 * format finds entries with bits it refuses and kills the guest.
 */
#include "mmu/mmu_internal.h"

#include "hypercalls/lguest_abi.h"
#include "vmm/trace.h"

bool mmu_guess_pae(const struct shadow_mmu *m, uint32_t gpgdir)
{
	uint64_t e;
	bool seen = false;

	if (gpgdir % 32)
		return false;
	for (unsigned i = 0; i < 4; i++) {
		if (!gmem_read64(m->cfg.mem, (uint64_t)gpgdir + i * 8u, &e))
			return false;
		if (!(e & PTE_PRESENT))
			continue;
		/* PDPTE: P, maybe PWT/PCD; no RW/US/A; frame below 4 GiB here. */
		if ((e & 0xfffu & ~(PTE_PWT | PTE_PCD)) != PTE_PRESENT ||
		    (e >> 32))
			return false;
		seen = true;
	}
	return seen;
}

bool mmu_set_guest_format(struct shadow_mmu *m, bool pae)
{
	const struct guest_format *fmt =
		pae ? &guest_format_pae : &guest_format_2level;
	uint32_t kernel_address = m->kernel_address;

	if (fmt == m->fmt)
		return true;
	if (!m->linear)
		return false;
	shadow_drop_all(m);
	m->fmt = fmt;
	m->cfg.pae = pae;
	/* The kernel's shared regions are counted in the format's slots. */
	m->kernel_address = 0;
	m->kernel_region = 0;
	if (kernel_address)
		mmu_set_kernel_address(m, kernel_address);
	TRACE("mmu", "op=format format=%s", fmt->name);
	return true;
}

bool mmu_is_pae(const struct shadow_mmu *m)
{
	return m->fmt == &guest_format_pae;
}
