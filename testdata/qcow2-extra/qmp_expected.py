#!/usr/bin/env python3
"""Asks QEMU itself (qemu-storage-daemon over QMP) for every persistent bitmap of qcow2 images.

Usage: qmp_expected.py IMAGE.qcow2 [...] > expected.jsonl
One JSON line per bitmap, in the shape of testdata/qemu/expected/sha256.jsonl:
image, size, name, granularity, recording, persistent, inconsistent, count, sha256.
"""
import json
import os
import socket
import subprocess
import sys
import tempfile
import time


class Qmp:
    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        for _ in range(100):
            try:
                self.sock.connect(path)
                break
            except (FileNotFoundError, ConnectionRefusedError):
                time.sleep(0.05)
        else:
            raise RuntimeError("qemu-storage-daemon QMP socket never appeared")
        self.file = self.sock.makefile("rw")
        self._read()  # greeting
        self.cmd("qmp_capabilities")

    def _read(self):
        while True:
            msg = json.loads(self.file.readline())
            if "event" not in msg:
                return msg

    def cmd(self, command, **args):
        self.file.write(json.dumps({"execute": command, "arguments": args}) + "\n")
        self.file.flush()
        reply = self._read()
        if "error" in reply:
            raise RuntimeError(f"{command}: {reply['error']['desc']}")
        return reply["return"]


def bitmaps_of(image):
    with tempfile.TemporaryDirectory() as tmp:
        sock = os.path.join(tmp, "qmp.sock")
        daemon = subprocess.Popen([
            "qemu-storage-daemon",
            "--blockdev", f"driver=qcow2,node-name=disk0,read-only=on,file.driver=file,file.filename={image}",
            "--chardev", f"socket,path={sock},server=on,wait=off,id=qmp0",
            "--monitor", "chardev=qmp0"])
        try:
            qmp = Qmp(sock)
            node = next(n for n in qmp.cmd("query-named-block-nodes", flat=True) if n["node-name"] == "disk0")
            size = node["image"]["virtual-size"]
            for bm in node.get("dirty-bitmaps", []):
                sha = qmp.cmd("x-debug-block-dirty-bitmap-sha256", node="disk0", name=bm["name"])["sha256"]
                yield {"image": os.path.basename(image), "size": size, "name": bm["name"],
                       "granularity": bm["granularity"], "recording": bm["recording"],
                       "persistent": bm["persistent"], "inconsistent": bm.get("inconsistent", False),
                       "count": bm["count"], "sha256": sha}
            qmp.cmd("quit")
        finally:
            try:
                daemon.wait(timeout=10)
            except subprocess.TimeoutExpired:
                daemon.kill()
                raise


def main():
    for image in sys.argv[1:]:
        for line in sorted(bitmaps_of(image), key=lambda b: b["name"]):
            print(json.dumps(line, ensure_ascii=False))


if __name__ == "__main__":
    main()
