#!/bin/sh
# Regenerates the qcow2 fixtures of this folder with QEMU itself and records QEMU's own answer for
# every bitmap (qemu-storage-daemon over QMP) in expected.jsonl.
# Needs: qemu-utils (qemu-img, qemu-io, qemu-storage-daemon), python3. Made with QEMU 7.2 (Debian 12).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"

add() { qemu-img bitmap --add "$@"; }
io() { img=$1; shift; qemu-io -f qcow2 "$@" "$img" >/dev/null; }

# Disk of 1000000 bytes: the last granule of every bitmap is partial.
qemu-img create -q -f qcow2 odd1m.qcow2 1000000
add -g 512 odd1m.qcow2 g512
add -g 64K odd1m.qcow2 g64k
add -g 1M odd1m.qcow2 g1m
io odd1m.qcow2 -c 'write -P 0x11 0 4k' -c 'write -P 0x22 999000 1000'

# The same, then the bits past the disk's end in g64k's last word set by hand (QEMU never writes them).
cp odd1m.qcow2 odd1m-tailbits.qcow2
python3 "$here/set_tail_bits.py" odd1m-tailbits.qcow2 g64k

# 64 MiB + 512 B: one extra 512-byte granule; a disabled bitmap keeps its state while others record.
qemu-img create -q -f qcow2 odd64m.qcow2 67109376
add -g 4K odd64m.qcow2 g4k
add -g 512 odd64m.qcow2 g512
add -g 64K odd64m.qcow2 frozen
io odd64m.qcow2 -c 'write -P 0x33 1M 8k' -c 'write -P 0x44 67108864 512'
qemu-img bitmap --disable odd64m.qcow2 frozen
io odd64m.qcow2 -c 'write -P 0x55 32M 1k' -c 'write -P 0x66 67108352 1k'

# 2 GiB granularity on a 5 GiB disk (3 bits) and 1 GiB next to it.
qemu-img create -q -f qcow2 g2g.qcow2 5G
add -g 2G g2g.qcow2 g2g
add -g 1G g2g.qcow2 g1g
io g2g.qcow2 -c 'write -P 0x77 4G 4k' -c 'write -P 0x77 5119M 1M'

# 40 bitmaps, each added before a different write, so each sees a different set of writes.
qemu-img create -q -f qcow2 many.qcow2 4M
i=0
while [ $i -lt 40 ]; do
  n=$(printf 'bm%02d' $i)
  case $((i % 3)) in 0) g=512 ;; 1) g=4K ;; *) g=64K ;; esac
  add -g $g many.qcow2 "$n"
  io many.qcow2 -c "write -P $i $((i * 100000)) 1000"
  i=$((i + 1))
done

# 512-byte clusters and 512-byte granularity on 256 MiB: 128 bitmap clusters, a two-cluster table.
qemu-img create -q -f qcow2 -o cluster_size=512 longtable.qcow2 256M
add -g 512 longtable.qcow2 fine
add -g 64K longtable.qcow2 coarse
io longtable.qcow2 -c 'write -P 1 0 1k' -c 'write -P 2 3M 4k' -c 'write -P 3 140M 1M' -c 'write -P 4 268434944 512'

# 1 KiB clusters, an odd disk size, and names with UTF-8 and spaces; one bitmap disabled from the start.
qemu-img create -q -f qcow2 -o cluster_size=1024 names.qcow2 33554433
add -g 4K names.qcow2 'sauvegarde incrémentale №1'
add -g 64K names.qcow2 '  leading and trailing  '
add --disable -g 4K names.qcow2 'désactivé'
io names.qcow2 -c 'write -P 9 0 5000' -c 'write -P 9 33554432 1'

# 1 TiB at 512 B granularity: a 256 MiB bitmap, mostly unallocated zero clusters, for bounded-memory reads.
qemu-img create -q -f qcow2 huge.qcow2 1T
add -g 512 huge.qcow2 huge
io huge.qcow2 -c 'write -P 1 0 64k' -c 'write -P 2 500G 1k' -c 'write -P 3 1099511627264 512'

# No bitmaps at all: a plain v3 image and a v2 (compat=0.10) image, which cannot hold bitmaps.
qemu-img create -q -f qcow2 plain.qcow2 1M
qemu-img create -q -f qcow2 -o compat=0.10 v2.qcow2 1M
for img in plain v2; do gzip -9n -c "$img.qcow2" > "$here/$img.qcow2.gz"; done

images="odd1m odd1m-tailbits odd64m g2g many longtable names huge"
for img in $images; do qemu-img check -q "$img.qcow2" || true; done
python3 "$here/qmp_expected.py" $(for img in $images; do echo "$img.qcow2"; done) > "$here/expected.jsonl"
# QEMU's NBD dirty ranges of the images whose size is no multiple of a granularity (the last bit clipped)
for img in odd1m odd64m; do python3 "$here/nbd_expected.py" "$img.qcow2" > "$here/$img.nbd.txt"; done
for img in $images; do gzip -9n -c "$img.qcow2" > "$here/$img.qcow2.gz"; done
ls -l "$here"
