/*
 * virtio-pci modern transport (virtio 1.0 section 4.1), as lguest offered
 * it: vendor 0x1AF4, device 0x1040 + virtio id, revision 1, vendor
 * capabilities for the common, notify, ISR and device configuration, and a
 * VIRTIO_PCI_CAP_PCI_CFG window, all in one 32-bit memory BAR (BAR 0):
 *
 *   0x000  common configuration (struct virtio_pci_common_cfg, 56 bytes)
 *   0x040  notify: write the 16-bit queue index (notify_off_multiplier 0)
 *   0x060  ISR status (1 byte, read clears)
 *   0x100  device-specific configuration (ops->config_size bytes)
 *
 * No MSI-X: vectors read VIRTIO_MSI_NO_VECTOR and interrupts go to the
 * device's IRQ line.
 */
#ifndef LGKVM_VIRTIO_PCI_H
#define LGKVM_VIRTIO_PCI_H

#include <stdbool.h>
#include <stdint.h>

#include "devices/pci.h"
#include "devices/virtio_device.h"
#include "devices/virtqueue.h"

#define VIRTIO_PCI_VENDOR 0x1AF4
#define VIRTIO_PCI_DEVICE_BASE 0x1040

#define VIRTIO_PCI_BAR_COMMON 0x000u
#define VIRTIO_PCI_BAR_COMMON_LEN 56u
#define VIRTIO_PCI_BAR_NOTIFY 0x040u
#define VIRTIO_PCI_BAR_NOTIFY_LEN 2u
#define VIRTIO_PCI_BAR_ISR 0x060u
#define VIRTIO_PCI_BAR_ISR_LEN 1u
#define VIRTIO_PCI_BAR_DEVICE 0x100u

struct virtio_pci;

/* Puts a device on the bus at 00:devnum.0 (PCI_DEVNUM_ANY: any free slot)
 * with ops and its state `dev`; the bus owns it from then on (its
 * ops->destroy runs in pci_bus_destroy).  NULL when the slot is taken or
 * the window is full. */
struct virtio_pci *virtio_pci_create(struct pci_bus *bus, int devnum,
				     const struct virtio_device_ops *ops,
				     void *dev);

/* For devices: */
struct virtqueue *virtio_pci_queue(struct virtio_pci *vp, unsigned index);
/* Features the driver accepted (valid once FEATURES_OK stuck). */
uint64_t virtio_pci_features(const struct virtio_pci *vp);
/* DRIVER_OK is set: the device may use its queues and interrupt. */
bool virtio_pci_live(const struct virtio_pci *vp);
/* Device-specific configuration changed: bump config_generation and
 * interrupt the guest with the configuration ISR bit. */
void virtio_pci_config_changed(struct virtio_pci *vp);
struct pci_device *virtio_pci_pci_device(struct virtio_pci *vp);

#endif
