#!/usr/bin/env python3
"""Sets the bits past the disk's end in the last stored cluster of one persistent bitmap.

QEMU never writes such bits; this makes an image that shows what QEMU does when it meets them
(its answer is recorded by qmp_expected.py like any other image).
Usage: set_tail_bits.py IMAGE.qcow2 BITMAP_NAME
"""
import struct
import sys


def main(path, wanted):
    with open(path, "r+b") as f:
        hdr = f.read(104)
        cluster_bits, size = struct.unpack(">I", hdr[20:24])[0], struct.unpack(">Q", hdr[24:32])[0]
        cluster = 1 << cluster_bits
        header_length = struct.unpack(">I", hdr[100:104])[0]
        f.seek(header_length)
        while True:
            ext, length = struct.unpack(">II", f.read(8))
            data = f.read((length + 7) & ~7)
            if ext == 0x23852875:
                break
            if ext == 0:
                sys.exit("no bitmaps extension")
        nb, _, dir_size, dir_off = struct.unpack(">IIQQ", data[:24])
        f.seek(dir_off)
        d = f.read(dir_size)
        pos = 0
        for _ in range(nb):
            tab_off, tab_size, flags, typ, gbits, name_size, extra = struct.unpack(">QIIBBHI", d[pos:pos + 24])
            name = d[pos + 24 + extra:pos + 24 + extra + name_size].decode()
            pos += (24 + extra + name_size + 7) & ~7
            if name != wanted:
                continue
            bits = (size + (1 << gbits) - 1) >> gbits
            f.seek(tab_off + 8 * (tab_size - 1))
            entry = struct.unpack(">Q", f.read(8))[0]
            data_off = entry & 0x00fffffffffffe00
            if data_off == 0:
                sys.exit("last cluster of the bitmap is not stored; write to the disk's end first")
            first_in_cluster = (tab_size - 1) * cluster * 8
            local = bits - first_in_cluster
            word_end = ((local + 63) // 64) * 64
            f.seek(data_off)
            buf = bytearray(f.read(cluster))
            for bit in range(local, word_end):
                buf[bit // 8] |= 1 << (bit % 8)
            f.seek(data_off)
            f.write(buf)
            return
        sys.exit(f"no bitmap {wanted!r}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
