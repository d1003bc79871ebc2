#!/usr/bin/env python3
"""Asks QEMU itself for the dirty byte ranges of every bitmap of a qcow2 image, as it exports them over NBD.

Usage: nbd_expected.py IMAGE.qcow2 > IMAGE.nbd.txt
One line per bitmap, in the shape of testdata/qemu/expected/*.nbd.txt:
  NAME gran=G flags=[...] dirty=[0xSTART,0xEND),...
Each bitmap is exported by qemu-nbd (-B NAME) and read back by qemu-img map through the
qemu:dirty-bitmap:NAME context, where dirty extents show as "data": false. Needs qemu-utils.
"""
import json
import os
import subprocess
import sys
import tempfile
import time


def bitmaps(image):
    info = json.loads(subprocess.check_output(["qemu-img", "info", "--output=json", image]))
    return info.get("format-specific", {}).get("data", {}).get("bitmaps", [])


def dirty_ranges(image, name, sock):
    nbd = subprocess.Popen(["qemu-nbd", "-r", "-f", "qcow2", "-B", name, "-k", sock, image])
    try:
        for _ in range(200):
            if os.path.exists(sock):
                break
            time.sleep(0.05)
        out = subprocess.check_output(["qemu-img", "map", "--output=json", "--image-opts",
                                       "driver=nbd,server.type=unix,server.path=%s,"
                                       "x-dirty-bitmap=qemu:dirty-bitmap:%s" % (sock, name)])
    finally:
        nbd.terminate()
        nbd.wait()
    ranges = []
    for e in json.loads(out):
        if not e["data"]:
            start, end = e["start"], e["start"] + e["length"]
            if ranges and ranges[-1][1] == start:
                ranges[-1] = (ranges[-1][0], end)
            else:
                ranges.append((start, end))
    return ranges


def main():
    image = sys.argv[1]
    with tempfile.TemporaryDirectory() as tmp:
        for i, b in enumerate(bitmaps(image)):
            sock = os.path.join(tmp, "nbd%d.sock" % i)
            ranges = dirty_ranges(image, b["name"], sock)
            print("%s gran=%d flags=%s dirty=%s" % (b["name"], b["granularity"], b["flags"],
                                                    ",".join("[%#x,%#x)" % r for r in ranges)))


if __name__ == "__main__":
    main()
