#!/usr/bin/env python3
"""Makes postcopy fixtures with real QEMU (7.2, Debian qemu-system-x86 + qemu-utils).

For each fixture: a source and a destination qemu-system-x86_64 (-machine none, one qcow2 node disk0),
the source with dirty bitmaps, migrated with the dirty-bitmaps capability through a proxy that saves the
stream. The proxy holds the stream right after the PACKAGED command (the destination VM runs now,
postcopy-active) until the destination has made the fixture's writes (qemu-io through HMP), then lets the
rest through. QEMU's own answers (query-block counts, x-debug-block-dirty-bitmap-sha256) before and after
go to result.json, the writes to writes.txt (NODE OFFSET LENGTH), the stream to postcopy.stream.gz.

Usage: make-postcopy.py OUTDIR [NAME...]   (default: every fixture below)
"""
import gzip, json, os, socket, subprocess, sys, tempfile, threading, time

K, M, G = 1 << 10, 1 << 20, 1 << 30

# name: disk size, bitmaps (name, granularity, enabled, persistent, source writes "OFFSET LENGTH"),
# destination writes during postcopy (after the migration for a precopy one), optional block-bitmap-mapping
# for both sides
FIXTURES = {
    "pc2-granularities": dict(size=256 * M, bitmaps=[
        ("g512", 512, True, True, ["0 4k", "1M 3000"]),
        ("g64k", 64 * K, True, False, ["4M 1M"]),
        ("g1m", 1 * M, True, True, ["100M 1"]),
        ("off", 64 * K, False, True, ["8M 64k"]),
        ("rtoff", 4 * K, False, False, ["8M 64k"])],
        writes=["0 512", "4M 1", "5M 128k", "100M 2M", "255M 1M"]),
    "pc3-across": dict(size=64 * M, bitmaps=[
        ("b4k", 4 * K, True, True, ["1M 1M", "10M 64k"]),
        ("b64k", 64 * K, True, False, ["1M 1M"])],
        writes=["1536k 1M", "10M 4k", "20M 1", "63M 1M"]),
    "pc4-mapping": dict(size=64 * M, bitmaps=[
        ("keep", 64 * K, True, True, ["0 1M"]),
        ("rt", 64 * K, True, False, ["2M 1M"])],
        writes=["512k 1M", "32M 64k"],
        mapping=[{"node-name": "disk0", "alias": "d0", "bitmaps": [
            {"name": "keep", "alias": "k", "transform": {"persistent": False}},
            {"name": "rt", "alias": "r", "transform": {"persistent": True}}]}]),
    # precopy: every bitmap completes before the destination VM starts; the writes come after
    "pc5-precopy": dict(size=64 * M, postcopy=False, bitmaps=[
        ("pre", 64 * K, True, True, ["0 1M"]),
        ("predis", 512, False, True, ["0 1M"])],
        writes=["0 4k", "2M 64k"]),
}


class Qmp:
    def __init__(self, path):
        for _ in range(200):
            try:
                self.s = socket.socket(socket.AF_UNIX)
                self.s.connect(path)
                break
            except OSError:
                time.sleep(0.1)
        self.f = self.s.makefile("rw")
        json.loads(self.f.readline())
        self.cmd("qmp_capabilities")

    def cmd(self, command, **args):
        self.f.write(json.dumps({"execute": command, "arguments": args}) + "\n")
        self.f.flush()
        while True:
            r = json.loads(self.f.readline())
            if "return" in r:
                return r["return"]
            if "error" in r:
                raise RuntimeError(f"{command}: {r['error']['desc']}")

    def hmp(self, line):
        out = self.cmd("human-monitor-command", **{"command-line": line})
        if out.strip():
            raise RuntimeError(f"{line}: {out}")

    def status(self):
        return self.cmd("query-migrate").get("status")

    def bitmaps(self):
        out = []
        for b in self.cmd("query-named-block-nodes"):
            if b.get("node-name") != "disk0":
                continue
            for d in b.get("dirty-bitmaps", []):
                sha = self.cmd("x-debug-block-dirty-bitmap-sha256", node="disk0", name=d["name"])["sha256"]
                out.append({"node": "disk0", "name": d["name"], "granularity": d["granularity"],
                            "count": d["count"], "recording": d["recording"],
                            "persistent": d["persistent"], "sha256": sha})
        return out


def size_of(text):
    text = text.strip().lower()
    for suffix, mult in (("k", K), ("m", M), ("g", G)):
        if text.endswith(suffix):
            return int(text[:-1]) * mult
    return int(text)


class Proxy(threading.Thread):
    """Forwards source -> destination, saving the bytes; holds them after the PACKAGED command's package."""

    def __init__(self, listen, target, out):
        super().__init__(daemon=True)
        self.srv = socket.socket(socket.AF_UNIX)
        self.srv.bind(listen)
        self.srv.listen(1)
        self.target, self.out = target, out
        self.release = threading.Event()
        self.held = threading.Event()

    def run(self):
        src, _ = self.srv.accept()
        dst = socket.socket(socket.AF_UNIX)
        dst.connect(self.target)
        threading.Thread(target=self.back, args=(dst, src), daemon=True).start()
        data, hold_at = bytearray(), None
        sent = 0
        while True:
            chunk = src.recv(65536)
            if chunk:
                data += chunk
                self.out.write(chunk)
            if hold_at is None:
                i = data.find(b"\x08\x00\x07\x00\x04")
                if i >= 0 and len(data) >= i + 9:
                    hold_at = i + 9 + int.from_bytes(data[i + 5:i + 9], "big")
            limit = len(data) if hold_at is None or self.release.is_set() else min(len(data), hold_at)
            if limit > sent:
                dst.sendall(data[sent:limit])
                sent = limit
            if hold_at is not None and sent >= hold_at and not self.release.is_set():
                self.held.set()
                self.release.wait()
                continue
            if not chunk:
                break
        dst.shutdown(socket.SHUT_WR)

    @staticmethod
    def back(dst, src):
        try:
            while True:
                b = dst.recv(65536)
                if not b:
                    break
                src.sendall(b)
        except OSError:
            pass


def qemu(work, name, image, incoming=False):
    args = ["qemu-system-x86_64", "-machine", "none", "-nodefaults", "-display", "none",
            "-qmp", f"unix:{work}/{name}.qmp,server=on,wait=off",
            "-blockdev", f"driver=file,filename={image},node-name=file0",
            "-blockdev", "driver=qcow2,file=file0,node-name=disk0"]
    if incoming:
        args += ["-incoming", "defer"]
    return subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=open(f"{work}/{name}.log", "w"))


def wait(what, test, timeout=60):
    end = time.time() + timeout
    while not test():
        if time.time() > end:
            raise RuntimeError("timed out waiting for " + what)
        time.sleep(0.05)


def make(name, spec, outdir):
    work = tempfile.mkdtemp(prefix="pc-")
    src_img, dst_img = f"{work}/src.qcow2", f"{work}/dst.qcow2"
    for img in (src_img, dst_img):
        subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", img, str(spec["size"])], check=True)
    for (bname, gran, enabled, persistent, _) in spec["bitmaps"]:
        if persistent:
            args = ["qemu-img", "bitmap", "--add", "-g", str(gran)] + ([] if enabled else ["--disable"])
            subprocess.run(args + [src_img, bname], check=True)
    procs = [qemu(work, "src", src_img), qemu(work, "dst", dst_img, incoming=True)]
    try:
        src, dst = Qmp(f"{work}/src.qmp"), Qmp(f"{work}/dst.qmp")
        for (bname, gran, enabled, persistent, writes) in spec["bitmaps"]:
            if not persistent:
                src.cmd("block-dirty-bitmap-add", node="disk0", name=bname, granularity=gran, persistent=False,
                        disabled=not enabled)
        for (bname, gran, enabled, persistent, writes) in spec["bitmaps"]:
            for w in writes:
                off, length = w.split()
                if not enabled:
                    src.cmd("block-dirty-bitmap-enable", node="disk0", name=bname)
                src.hmp(f'qemu-io disk0 "write {size_of(off)} {size_of(length)}"')
                if not enabled:
                    src.cmd("block-dirty-bitmap-disable", node="disk0", name=bname)
        source = src.bitmaps()
        for q in (src, dst):
            q.cmd("migrate-set-capabilities", capabilities=[{"capability": "dirty-bitmaps", "state": True}])
            if "mapping" in spec:
                q.cmd("migrate-set-parameters", **{"block-bitmap-mapping": spec["mapping"]})
        dst.cmd("migrate-incoming", uri=f"unix:{work}/dst.sock")
        wait("destination socket", lambda: os.path.exists(f"{work}/dst.sock"))
        stream = open(f"{work}/stream", "wb")
        proxy = Proxy(f"{work}/proxy.sock", f"{work}/dst.sock", stream)
        proxy.start()
        postcopy = spec.get("postcopy", True)
        src.cmd("migrate", uri=f"unix:{work}/proxy.sock")
        if postcopy:
            src.cmd("migrate-start-postcopy")
            proxy.held.wait(60)
            wait("postcopy-active", lambda: dst.status() == "postcopy-active")
        else:
            wait("completed", lambda: dst.status() == "completed")
        during = dst.cmd("query-named-block-nodes")
        writes = []
        for w in spec["writes"]:
            off, length = (size_of(x) for x in w.split())
            dst.hmp(f'qemu-io disk0 "write {off} {length}"')
            writes.append(f"disk0 {off} {length}")
        status_at_writes = dst.status()
        proxy.release.set()
        wait("completed", lambda: dst.status() == "completed" and src.status() == "completed")
        proxy.join(30)
        stream.close()
        result = {"source": source, "dst_status_at_writes": status_at_writes,
                  "dst_bitmaps_during_postcopy": [
                      {"name": d.get("name"), "count": d["count"], "recording": d["recording"]}
                      for b in during if b.get("node-name") == "disk0" for d in b.get("dirty-bitmaps", [])],
                  "writes": spec["writes"], "dst_status": dst.status(), "destination": dst.bitmaps()}
        if "mapping" in spec:
            result["mapping"] = spec["mapping"]
        out = os.path.join(outdir, name)
        os.makedirs(out, exist_ok=True)
        with open(f"{work}/stream", "rb") as f, gzip.GzipFile(f"{out}/postcopy.stream.gz", "wb", 9, mtime=0) as g:
            g.write(f.read())
        with open(f"{out}/result.json", "w") as f:
            json.dump(result, f, indent=1)
            f.write("\n")
        with open(f"{out}/writes.txt", "w") as f:
            f.write("# destination writes during postcopy (qemu-io): NODE OFFSET LENGTH in bytes\n")
            f.write("\n".join(writes) + "\n")
        print(name, "ok:", [(b["name"], b["count"]) for b in result["destination"]])
    finally:
        for p in procs:
            p.kill()
            p.wait()


if __name__ == "__main__":
    outdir = sys.argv[1]
    for n in sys.argv[2:] or FIXTURES:
        make(n, FIXTURES[n], outdir)
