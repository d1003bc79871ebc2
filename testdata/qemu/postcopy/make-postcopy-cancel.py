#!/usr/bin/env python3
"""Makes the postcopy-cancel fixture with real QEMU 7.2 (uses make-postcopy.py's helpers).

The source migrates three bitmaps postcopy (dirty-bitmaps capability only, no postcopy-ram). A proxy
holds the stream after PACKAGED (the destination VM runs, postcopy-active): writes W1. Then it lets the
stream through up to the end of the first bitmap's COMPLETE chunk and waits until the destination has
completed that bitmap: writes W2. Then it cuts the connection: QEMU's postcopy listen thread fails to
load, calls dirty_bitmap_mig_cancel_incoming() ("Some dirty bitmaps may be lost, and present migrated
dirty bitmaps are correctly migrated and valid") and the VM goes on: the completed bitmap stays and
records, the unfinished ones are released. Writes W3 come after the cancel. QEMU's final state goes to
result.json, the stream up to the cut to postcopy.stream.gz, the writes (with their phase) to writes.txt.

Usage: make-postcopy-cancel.py OUTDIR
"""
import gzip, importlib.util, json, os, sys, tempfile, threading, time

spec_ = importlib.util.spec_from_file_location("mp", os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                                  "make-postcopy.py"))
mp = importlib.util.module_from_spec(spec_)
spec_.loader.exec_module(mp)
K, M = mp.K, mp.M

NAME = "cancel/pc6-cancel"
SIZE = 64 * M
# name, granularity, enabled, persistent, source writes
BITMAPS = [("first", 64 * K, True, True, ["0 1M"]),
           ("second", 4 * K, True, False, ["1M 1M"]),
           ("third", 512, False, True, ["0 64k"])]
W1 = ["2M 64k", "40M 4k"]          # after the switchover, before any COMPLETE
W2 = ["1536k 1M", "50M 1"]         # after the first bitmap's COMPLETE, before the cancel
W3 = ["60M 128k", "0 512"]         # after the cancel


class CutProxy(mp.Proxy):
    """Holds after PACKAGED until release; then forwards up to cut_after's COMPLETE chunk and closes."""

    def __init__(self, listen, target, out):
        super().__init__(listen, target, out)
        self.cut = threading.Event()
        self.cut_at = None
        self.forwarded = threading.Event()

    def run(self):
        import socket
        src, _ = self.srv.accept()
        dst = socket.socket(socket.AF_UNIX)
        dst.connect(self.target)
        threading.Thread(target=self.back, args=(dst, src), daemon=True).start()
        data, hold_at, sent = bytearray(), None, 0
        while True:
            chunk = src.recv(65536)
            if chunk:
                data += chunk
            if hold_at is None:
                i = data.find(b"\x08\x00\x07\x00\x04")
                if i >= 0 and len(data) >= i + 9:
                    hold_at = i + 9 + int.from_bytes(data[i + 5:i + 9], "big")
            if hold_at is not None and self.cut_at is None:
                self.cut_at = self.find_first_complete(data, hold_at)
            limit = len(data) if hold_at is None else min(len(data), hold_at)
            if self.release.is_set() and self.cut_at is not None:
                limit = self.cut_at
            if limit > sent:
                dst.sendall(data[sent:limit])
                sent = limit
            if hold_at is not None and sent >= hold_at and not self.release.is_set():
                self.held.set()
                self.release.wait()
                continue
            if self.cut_at is not None and sent >= self.cut_at:
                break
            if not chunk and self.release.is_set():
                break
        self.out.write(bytes(data[:sent]))
        self.forwarded.set()
        self.cut.wait()
        dst.shutdown(socket.SHUT_RDWR)
        dst.close()
        src.close()

    def find_first_complete(self, data, start):
        """End of the first COMPLETE chunk after start: flags with COMPLETE|BITMAP_NAME, then the name."""
        best = None
        for (name, *_rest) in BITMAPS:
            pat = bytes([len(name)]) + name.encode()
            i = data.find(pat, start)
            while i >= 0:
                flags = data[i - 1]
                if flags & 0x20 and flags & 0x04 and not flags & 0x08:
                    if best is None or i + len(pat) < best[0]:
                        best = (i + len(pat), name)
                    break
                i = data.find(pat, i + 1)
        if best is None:
            return None
        self.first_complete = best[1]
        return best[0]


def main(outdir):
    work = tempfile.mkdtemp(prefix="pcc-")
    src_img, dst_img = f"{work}/src.qcow2", f"{work}/dst.qcow2"
    for img in (src_img, dst_img):
        mp.subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", img, str(SIZE)], check=True)
    for (b, gran, enabled, persistent, _) in BITMAPS:
        if persistent:
            mp.subprocess.run(["qemu-img", "bitmap", "--add", "-g", str(gran)] + ([] if enabled else ["--disable"])
                              + [src_img, b], check=True)
    procs = [mp.qemu(work, "src", src_img), mp.qemu(work, "dst", dst_img, incoming=True)]
    try:
        src, dst = mp.Qmp(f"{work}/src.qmp"), mp.Qmp(f"{work}/dst.qmp")
        for (b, gran, enabled, persistent, _) in BITMAPS:
            if not persistent:
                src.cmd("block-dirty-bitmap-add", node="disk0", name=b, granularity=gran, persistent=False,
                        disabled=not enabled)
        for (b, gran, enabled, persistent, writes) in BITMAPS:
            for w in writes:
                off, length = (mp.size_of(x) for x in w.split())
                if not enabled:
                    src.cmd("block-dirty-bitmap-enable", node="disk0", name=b)
                src.hmp(f'qemu-io disk0 "write {off} {length}"')
                if not enabled:
                    src.cmd("block-dirty-bitmap-disable", node="disk0", name=b)
        source = src.bitmaps()
        for q in (src, dst):
            q.cmd("migrate-set-capabilities", capabilities=[{"capability": "dirty-bitmaps", "state": True}])
        dst.cmd("migrate-incoming", uri=f"unix:{work}/dst.sock")
        mp.wait("destination socket", lambda: os.path.exists(f"{work}/dst.sock"))
        stream = open(f"{work}/stream", "wb")
        proxy = CutProxy(f"{work}/proxy.sock", f"{work}/dst.sock", stream)
        proxy.start()
        src.cmd("migrate", uri=f"unix:{work}/proxy.sock")
        src.cmd("migrate-start-postcopy")
        proxy.held.wait(60)
        mp.wait("postcopy-active", lambda: dst.status() == "postcopy-active")
        writes = []

        def write(phase, ws):
            for w in ws:
                off, length = (mp.size_of(x) for x in w.split())
                dst.hmp(f'qemu-io disk0 "write {off} {length}"')
                writes.append((phase, f"disk0 {off} {length}"))

        write("after-switchover", W1)
        proxy.release.set()
        proxy.forwarded.wait(60)
        first = proxy.first_complete

        def busy(name):
            for b in dst.cmd("query-named-block-nodes"):
                for d in b.get("dirty-bitmaps", []) if b.get("node-name") == "disk0" else []:
                    if d.get("name") == name:
                        return d.get("busy")
            return None

        mp.wait("first COMPLETE", lambda: busy(first) is False)
        during = [{"name": d.get("name"), "count": d["count"], "recording": d["recording"], "busy": d.get("busy")}
                  for b in dst.cmd("query-named-block-nodes") if b.get("node-name") == "disk0"
                  for d in b.get("dirty-bitmaps", [])]
        write("after-first-complete", W2)
        proxy.cut.set()
        mp.wait("cancel", lambda: all(busy(b[0]) is None for b in BITMAPS if b[0] != first))
        write("after-cancel", W3)
        result = {"source": source, "first_complete": first, "dst_bitmaps_after_first_complete": during,
                  "writes": {"after-switchover": W1, "after-first-complete": W2, "after-cancel": W3},
                  "dst_status": dst.status(), "src_status": src.status(), "destination": dst.bitmaps()}
        stream.close()
        out = os.path.join(outdir, NAME)
        os.makedirs(out, exist_ok=True)
        with open(f"{work}/stream", "rb") as f, gzip.GzipFile(f"{out}/postcopy.stream.gz", "wb", 9, mtime=0) as g:
            g.write(f.read())
        with open(f"{out}/result.json", "w") as f:
            json.dump(result, f, indent=1)
            f.write("\n")
        with open(f"{out}/writes.txt", "w") as f:
            f.write("# destination writes (qemu-io): NODE OFFSET LENGTH in bytes; phase in the comment lines\n")
            phase = None
            for (p, line) in writes:
                if p != phase:
                    f.write(f"# {p}\n")
                    phase = p
                f.write(line + "\n")
        print(NAME, "ok: first complete", first, [(b["name"], b["count"]) for b in result["destination"]])
        log = open(f"{work}/dst.log").read()
        print("destination log:", log.strip())
    finally:
        for p in procs:
            p.kill()
            p.wait()


if __name__ == "__main__":
    main(sys.argv[1])
