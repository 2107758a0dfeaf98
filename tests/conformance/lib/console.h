/*
 * PCI configuration mechanism #1 and the early console: characters go to
 * the virtio console's emerg_wr field through the VIRTIO_PCI_CAP_PCI_CFG
 * window, exactly like Linux's lguest early_put_chars().
 */
#ifndef CONF_CONSOLE_H
#define CONF_CONSOLE_H

#include <stdarg.h>
#include <stdint.h>

#define PCI_CONSOLE_DEV 1 /* 00:01.0 */
#define PCI_CONSOLE_ID 0x10431AF4u

/* virtio_pci_cap fields and types (virtio 1.0, 4.1.4). */
#define VIRTIO_PCI_CAP_COMMON_CFG 1
#define VIRTIO_PCI_CAP_NOTIFY_CFG 2
#define VIRTIO_PCI_CAP_ISR_CFG 3
#define VIRTIO_PCI_CAP_DEVICE_CFG 4
#define VIRTIO_PCI_CAP_PCI_CFG 5
#define VCAP_CFG_TYPE 3
#define VCAP_BAR 4
#define VCAP_OFFSET 8
#define VCAP_LENGTH 12
#define VCAP_NOTIFY_MULT 16
#define VCAP_PCI_CFG_DATA 16
#define PCI_CAP_ID_VNDR 0x09

/* struct virtio_console_config: cols, rows, max_nr_ports, emerg_wr. */
#define VIRTIO_CONSOLE_EMERG_WR 8

uint32_t pci_read32(unsigned dev, unsigned off);
uint16_t pci_read16(unsigned dev, unsigned off);
uint8_t pci_read8(unsigned dev, unsigned off);
void pci_write32(unsigned dev, unsigned off, uint32_t v);
void pci_write16(unsigned dev, unsigned off, uint16_t v);
void pci_write8(unsigned dev, unsigned off, uint8_t v);
/* First vendor capability of this cfg_type (and BAR, or any BAR if bar < 0). */
unsigned pci_find_virtio_cap(unsigned dev, unsigned cfg_type, int bar);

struct console_info {
	int found;
	unsigned cfg_cap;    /* VIRTIO_PCI_CAP_PCI_CFG capability */
	unsigned device_cap; /* VIRTIO_PCI_CAP_DEVICE_CFG capability in BAR 0 */
	uint32_t device_offset, device_length;
};
extern struct console_info console_info;

int console_init(void);
void console_write(const char *s, unsigned n);

int kvprintf(const char *fmt, va_list ap);
int kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int ksnprintf(char *buf, unsigned size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int kvsnprintf(char *buf, unsigned size, const char *fmt, va_list ap);

#endif
