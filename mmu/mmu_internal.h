/*
 * What the mmu/ files share: the shadow layout, the pool, the pgdir cache
 * and the description of a guest page-table format.  Not for outside mmu/.
 *
 * Shadow layout.  Each root is PML4 -> one PDPT -> four PDs (one per GiB of
 * the guest's 32-bit space) -> page tables of 512 4 KiB pages.  One shadow
 * page table maps a 2 MiB "region"; 2048 regions cover 4 GiB.  A guest
 * page-table page maps one "slot": 4 MiB (2 regions) for 2-level tables, 2 MiB
 * (1 region) with PAE, so everything below speaks in regions and the guest
 * format says how many regions a slot or a top-level entry covers.
 *
 * Sharing.  Regions at or above kernel_region are kernel space: their shadow
 * page table is one pool page in kernel_pt[], installed in the PD of every
 * root, so a kernel mapping filled or dropped once is seen by all roots.
 * User regions belong to one root.
 */
#ifndef LGKVM_MMU_INTERNAL_H
#define LGKVM_MMU_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "mmu/shadow_mmu.h"

#define MMU_PAGE_SIZE 4096u
#define MMU_PAGE_MASK 0xfffu
#define SHADOW_ENTRIES 512u
#define REGION_SHIFT 21u
#define SHADOW_REGIONS 2048u /* 2 MiB regions below 4 GiB */
#define SHADOW_PDS 4u
#define SPTE_ADDR_MASK 0x000ffffffffff000ull
/* Directory entries of the shadow are permissive; the leaf decides rights. */
#define SHADOW_TABLE_FLAGS (PTE_PRESENT | PTE_RW | PTE_USER | PTE_ACCESSED)
#define POOL_NONE UINT32_MAX
#define NO_GPA UINT64_MAX

/* --- shadow_pool.c: the fixed pool of shadow table pages --- */
struct shadow_pool {
	uint8_t *base;
	uint64_t gpa;
	uint32_t pages;
	uint32_t *free; /* stack of free page indices */
	uint32_t nfree;
	uint8_t *zeroed; /* bitmap: page cleared since pool_init */
};

/* Pages are zeroed on first use, not all up front: a large pool costs
 * only what the guest's tables need (freed pages are left zero). */
bool pool_init(struct shadow_pool *p, void *base, uint64_t gpa, uint32_t pages);
void pool_fini(struct shadow_pool *p);
/* A page, or POOL_NONE when the pool is empty.  A page that was used before
 * still holds its old entries: clear it with shadow_clear_page(). */
uint32_t pool_alloc(struct shadow_pool *p);
void pool_free(struct shadow_pool *p, uint32_t idx);
uint64_t *pool_table(const struct shadow_pool *p, uint32_t idx);
uint64_t pool_page_gpa(const struct shadow_pool *p, uint32_t idx);
/* Index of the pool page a shadow entry points to. */
uint32_t pool_index_of(const struct shadow_pool *p, uint64_t entry);

/* --- shadow_touch.c: writing shadow entries, and the log of writes --- */
struct touch_log {
	uint64_t *logged;   /* one bit per pool entry: already in gpa[] */
	uint64_t *gpa;      /* entries written, oldest first from head */
	size_t head, n, cap;
};

bool touch_init(struct shadow_mmu *m);
void touch_fini(struct shadow_mmu *m);
/* The one way to change a shadow entry once the vCPU may have seen it. */
void shadow_set(struct shadow_mmu *m, uint64_t *entry, uint64_t val);
void shadow_clear_page(struct shadow_mmu *m, uint32_t idx);

/* --- guest_walk.c, guest_format_*.c: reading the guest's tables --- */
struct guest_walk {
	bool dir_present;      /* every directory level above the leaf was present */
	bool dir_writable;     /* ... and allowed writes */
	bool dir_user;         /* ... and user access */
	bool dir_nx;           /* ... forbade execution (PAE) */
	uint64_t gpte;         /* the leaf entry, when dir_present */
	uint64_t gpte_gpa;     /* where the leaf lives (NO_GPA in linear mode) */
	uint64_t pmd_gpa;      /* PAE: the middle directory page walked (else NO_GPA) */
};

struct guest_format {
	const char *name;
	unsigned pte_size;       /* bytes per guest entry */
	unsigned top_entries;    /* entries in the guest's top level */
	unsigned top_regions;    /* regions one top-level entry covers */
	unsigned slot_shift;     /* log2 of the bytes one guest page table maps */
	uint32_t pgdir_align;    /* NEW_PGTABLE alignment */
	uint64_t frame_mask;     /* address bits of a leaf entry */
	uint64_t pte_bad_bits;   /* leaf bits that make a present entry bad */
	uint64_t nx_bit;         /* 0 when the format has none */
	bool has_pmd;            /* PAE: SET_PMD exists */
	/* Fills *w from the directory levels for vaddr under gpgdir.  A bad
	 * directory entry kills the guest when kill is set; either way it
	 * returns false. */
	bool (*walk_dirs)(struct shadow_mmu *m, uint32_t gpgdir, uint32_t vaddr,
			  bool kill, struct guest_walk *w);
};

extern const struct guest_format guest_format_2level;
extern const struct guest_format guest_format_pae;

enum frame_kind { FRAME_RAM, FRAME_MMIO, FRAME_BAD };
enum frame_kind mmu_frame_kind(const struct shadow_mmu *m, uint64_t gpa);
/* Walk for vaddr in the current mode (linear or the current root's pgdir). */
bool guest_walk(struct shadow_mmu *m, uint32_t vaddr, bool kill,
		struct guest_walk *w);
/* Checks a present leaf entry; kills (when kill) and returns false if bad. */
bool guest_check_pte(struct shadow_mmu *m, uint64_t gpte, uint32_t vaddr,
		     bool kill);
/* Writes back a leaf entry the walk found at gpa (A/D bits). */
void guest_write_pte(struct shadow_mmu *m, uint64_t gpa, uint64_t gpte);
/* Rights of the leaf combined with its directories. */
bool guest_pte_writable(const struct guest_walk *w, uint64_t gpte);
bool guest_pte_user(const struct guest_walk *w, uint64_t gpte);
bool guest_pte_nx(const struct shadow_mmu *m, const struct guest_walk *w,
		  uint64_t gpte);

/* --- demand_page.c --- */
/* The shadow leaf for a checked, present guest entry: writable only when the
 * guest entry is writable and dirty, global dropped. */
uint64_t shadow_pte(const struct shadow_mmu *m, const struct guest_walk *w,
		    uint64_t gpte);

/* --- shadow_rmap.c: which shadow page tables come from which guest page
 * table.  Every shadow page table of a region is built from one guest
 * page-table page: the part of it that maps the region (a 2-level guest page
 * table maps two regions; a PAE one, one).  The reverse map lists, for each
 * guest page-table page, the shadow page tables built from it, in every root
 * and in the shared kernel space, so SET_PTE reaches exactly those entries. */
#define RMAP_NONE UINT32_MAX
#define OWNER_KERNEL UINT32_MAX

struct pt_meta {
	uint64_t src;          /* GPA of the guest entry for the region's first
				* page (frame | offset); NO_GPA: not in the map */
	uint32_t owner;        /* root index, or OWNER_KERNEL */
	uint32_t region;
	uint32_t next, prev;   /* chain of the same guest page */
};

struct shadow_rmap {
	struct pt_meta *meta;  /* per pool page */
	uint32_t *head;        /* hash buckets of guest page frames */
	uint32_t nbuckets;     /* a power of two */
	uint32_t count;        /* shadow page tables in the map */
};

bool rmap_init(struct shadow_mmu *m);
void rmap_fini(struct shadow_mmu *m);
/* Pool page idx now shadows region r for owner, from the guest entries
 * starting at src (NO_GPA: made up, in linear mode; then not mapped). */
void rmap_add(struct shadow_mmu *m, uint32_t idx, uint32_t owner, uint32_t r,
	      uint64_t src);
/* Pool page idx no longer shadows anything. */
void rmap_remove(struct shadow_mmu *m, uint32_t idx);
/* The shadow page tables built from the guest page at frame: the first,
 * then the next after idx; RMAP_NONE at the end. */
uint32_t rmap_first(const struct shadow_mmu *m, uint64_t frame);
uint32_t rmap_next(const struct shadow_mmu *m, uint32_t idx);
/* For the checker: the raw chains. */
uint32_t rmap_bucket_head(const struct shadow_mmu *m, uint32_t b);
uint32_t rmap_bucket_of(const struct shadow_mmu *m, uint64_t frame);
/* Where the guest entry at gpte_gpa lands in pool page idx, or -1. */
int rmap_entry_index(const struct shadow_mmu *m, uint32_t idx, uint64_t gpte_gpa);
/* The guest entry address a shadow page table for vaddr's region starts
 * from, given the walk's entry for vaddr. */
uint64_t rmap_src_of(const struct shadow_mmu *m, const struct guest_walk *w,
		     uint32_t vaddr);

/* --- pgdir_cache.c: roots, sharing and dropping --- */
struct shadow_root {
	bool keyed;           /* shadows gpgdir (false: slot free) */
	uint32_t gpgdir;
	uint64_t last_used;   /* for LRU eviction */
	uint32_t pml4, pdpt, pd[SHADOW_PDS]; /* pool pages, owned for good */
	/* PAE: the guest middle directory each GiB's regions come from
	 * (NO_GPA: none shadowed), for SET_PMD. */
	uint64_t src_pmd[SHADOW_PDS];
};

bool roots_init(struct shadow_mmu *m);
/* The shadow page table of region r in root, or NULL. */
uint64_t *root_region_pt(const struct shadow_mmu *m,
			 const struct shadow_root *root, uint32_t r);
/* The current root's page table for vaddr's region, built from the guest
 * page table the walk w went through: allocated if missing, rebuilt if it
 * came from another guest page table (or, PAE, middle directory) than w.
 * On an empty pool everything is dropped first.  Never NULL. */
uint64_t *shadow_region_pt(struct shadow_mmu *m, uint32_t vaddr,
			   const struct guest_walk *w);
void shadow_drop_region(struct shadow_mmu *m, struct shadow_root *root,
			uint32_t r);
/* PAE: the regions of GiB g, the kernel's (root NULL) or root's user ones. */
void shadow_drop_gib(struct shadow_mmu *m, struct shadow_root *root, uint32_t g);
uint64_t *root_pde_of(const struct shadow_mmu *m, const struct shadow_root *root,
		      uint32_t r);
void shadow_drop_user(struct shadow_mmu *m, struct shadow_root *root);
void shadow_drop_all(struct shadow_mmu *m);
struct shadow_root *roots_find(struct shadow_mmu *m, uint32_t gpgdir);

/* --- the whole state --- */
struct shadow_mmu {
	struct mmu_config cfg;
	const struct guest_format *fmt;
	uint64_t ram_end;               /* RAM bytes usable as whole pages */
	struct shadow_pool pool;
	struct touch_log touch;
	struct shadow_root *roots;
	unsigned nroots;
	unsigned cur;                   /* index of the current root */
	bool linear;                    /* before the first NEW_PGTABLE */
	uint32_t kernel_address;
	uint32_t kernel_region;         /* first region shared by all roots */
	uint32_t kernel_pt[SHADOW_REGIONS]; /* pool page per kernel region */
	uint64_t kernel_src_pmd[SHADOW_PDS]; /* as shadow_root.src_pmd */
	struct shadow_rmap rmap;
	uint64_t clock;                 /* LRU time */
	bool tlb_flush;                 /* a shadow entry lost rights */
	struct mmu_stats stats;
};

static inline bool region_is_kernel(const struct shadow_mmu *m, uint32_t r)
{
	return r >= m->kernel_region;
}

static inline struct shadow_root *mmu_current(struct shadow_mmu *m)
{
	return &m->roots[m->cur];
}

#endif
