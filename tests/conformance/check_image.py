#!/usr/bin/env python3
"""check_image.py IMAGE...: check conformance bzImages without running them.

For each image: the boot protocol setup header (boot_flag 0xAA55, "HdrS",
version >= 2.10, setup_sects, syssize, code32_start, pref_address) and its
payload (payload_offset/payload_length inside the protected-mode part, gzip
data that decompresses to an ELF32 EM_386 ET_EXEC whose entry point lies in
a PT_LOAD segment, with every segment loaded at or above physical 1 MiB and
inside init_size).  Prints one line per image; exits 1 if any check failed.
Python 3 standard library only.
"""

import gzip
import struct
import sys

LOAD_PHYS = 0x100000
PT_LOAD = 1


def check(path):
    with open(path, "rb") as f:
        img = f.read()
    errors = []

    def need(cond, what):
        if not cond:
            errors.append(what)
        return cond

    if not need(len(img) >= 0x268, "file shorter than the setup header"):
        return errors
    u8 = lambda o: img[o]
    u16 = lambda o: struct.unpack_from("<H", img, o)[0]
    u32 = lambda o: struct.unpack_from("<I", img, o)[0]
    u64 = lambda o: struct.unpack_from("<Q", img, o)[0]

    need(u16(0x1FE) == 0xAA55, "boot_flag is not 0xAA55")
    need(img[0x202:0x206] == b"HdrS", "no \"HdrS\" at 0x202")
    need(u16(0x206) >= 0x020A, "boot protocol %#x is older than 2.10" % u16(0x206))
    setup_sects = u8(0x1F1) or 4
    pm_start = (setup_sects + 1) * 512
    pm_len = len(img) - pm_start
    need(pm_len > 0, "no protected-mode part after %d setup sectors" % setup_sects)
    need(u32(0x1F4) * 16 >= pm_len, "syssize %#x paragraphs does not cover the %d-byte kernel" % (u32(0x1F4), pm_len))
    need(u8(0x211) & 1, "loadflags lacks LOADED_HIGH")
    need(u32(0x214) == LOAD_PHYS, "code32_start is %#x, not 1 MiB" % u32(0x214))
    need(u64(0x258) == LOAD_PHYS, "pref_address is %#x, not 1 MiB" % u64(0x258))
    init_size = u32(0x260)
    off, length = u32(0x248), u32(0x24C)
    if not need(length > 0 and off + length <= pm_len, "payload %#x+%#x is outside the kernel part" % (off, length)):
        return errors
    payload = img[pm_start + off:pm_start + off + length]
    if not need(payload[:2] == b"\x1f\x8b", "payload is not gzip data"):
        return errors
    try:
        elf = gzip.decompress(payload)
    except (OSError, EOFError) as e:
        errors.append("payload does not decompress: %s" % e)
        return errors
    if not need(len(elf) >= 52 and elf[:4] == b"\x7fELF", "payload is not an ELF file"):
        return errors
    need(elf[4] == 1 and elf[5] == 1, "ELF is not 32-bit little-endian")
    e_type, e_machine = struct.unpack_from("<HH", elf, 16)
    need(e_type == 2, "ELF type %d is not ET_EXEC" % e_type)
    need(e_machine == 3, "ELF machine %d is not EM_386" % e_machine)
    e_entry, e_phoff = struct.unpack_from("<II", elf, 24)
    e_phentsize, e_phnum = struct.unpack_from("<HH", elf, 42)
    entry_ok, loads = False, 0
    for i in range(e_phnum):
        p_type, p_offset, p_vaddr, p_paddr, p_filesz, p_memsz = struct.unpack_from(
            "<IIIIII", elf, e_phoff + i * e_phentsize)
        if p_type != PT_LOAD:
            continue
        loads += 1
        need(p_offset + p_filesz <= len(elf), "segment %d runs past the file" % i)
        need(p_filesz <= p_memsz, "segment %d: filesz > memsz" % i)
        need(p_memsz > 0, "segment %d is empty" % i)
        need(p_paddr >= LOAD_PHYS, "segment %d loads at %#x, below 1 MiB" % (i, p_paddr))
        need(p_paddr + p_memsz <= LOAD_PHYS + init_size,
             "segment %d ends at %#x, past init_size" % (i, p_paddr + p_memsz))
        if p_paddr <= e_entry < p_paddr + p_memsz:
            entry_ok = True
    need(loads > 0, "no PT_LOAD segment")
    need(entry_ok, "entry %#x is not the physical address of a loaded segment" % e_entry)
    return errors


def main():
    if len(sys.argv) < 2:
        sys.stderr.write(__doc__)
        return 2
    bad = 0
    for path in sys.argv[1:]:
        try:
            errors = check(path)
        except OSError as e:
            errors = [str(e)]
        if errors:
            bad += 1
            print("FAIL %s: %s" % (path, "; ".join(errors)))
        else:
            print("ok   %s" % path)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
