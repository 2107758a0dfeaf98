#include "vmm/port_io.h"

#include <string.h>

#include "devices/pci.h"
#include "vmm/trace.h"
#include "vmm/vm.h"

void port_io_access(struct vm *vm, uint16_t port, bool write, uint8_t *data,
		    unsigned size)
{
	TRACE("io", "%s port=%#x size=%u", write ? "out" : "in", port, size);
	if (pit_io(&vm->pit, port, write, data, size) ||
	    pci_bus_io(vm->pci, port, write, data, size) || write)
		return;
	/* Nobody home: all ones, except that the keyboard controller's
	 * status port says "no data" (0x64 reads 1, as in lguest), so
	 * probing it ends at once. */
	memset(data, 0xff, size);
	if (port == 0x64)
		data[0] = 1;
}

bool port_insn_decode(const uint8_t *code, unsigned n, uint32_t edx,
		      struct port_insn *pi)
{
	unsigned i = 0;
	bool small = false;

	if (n > 0 && code[0] == 0x66) {
		small = true;
		i = 1;
	}
	if (i >= n)
		return false;
	switch (code[i] & 0xfe) {
	case 0xe4: /* in imm8 */
	case 0xe6: /* out imm8 */
		if (i + 1 >= n)
			return false;
		pi->port = code[i + 1];
		pi->len = (uint8_t)(i + 2);
		break;
	case 0xec: /* in (%dx) */
	case 0xee: /* out (%dx) */
		pi->port = (uint16_t)edx;
		pi->len = (uint8_t)(i + 1);
		break;
	default:
		return false;
	}
	pi->in = (code[i] & 0xfe) == 0xe4 || (code[i] & 0xfe) == 0xec;
	pi->size = !(code[i] & 1) ? 1 : small ? 2 : 4;
	return true;
}

uint32_t port_insn_merge_in(uint32_t eax, unsigned size, uint32_t val)
{
	uint32_t mask = size >= 4 ? 0xffffffffu : (1u << (8 * size)) - 1;

	return (eax & ~mask) | (val & mask);
}
