package org.dbmstream.bitmap.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.Optional;
import java.util.Random;
import org.dbmstream.bitmap.BitmapDigest;
import org.dbmstream.bitmap.DirtyBitmap;
import org.dbmstream.bitmap.Granularity;
import org.dbmstream.bitmap.chunk.BitmapChunker;
import org.dbmstream.bitmap.chunk.Chunk;
import org.dbmstream.bitmap.chunk.ChunkLayout;
import org.junit.jupiter.api.Test;

/**
 * The running digest against the whole in-memory bitmap and against the read-back digest: in QEMU's
 * order it is computed without reading the store; any other order falls back, with the same result.
 */
class StreamedDigestsTest {
    private static final BitmapKey KEY = new BitmapKey("m", "n", "b");
    private static final int SLOT_BITS = ChunkSlots.SLOT_BYTES * 8;

    @Test
    void inOrderSlotsDigestWithoutReadingTheStore() {
        Random random = new Random(7);
        for (long bitCount : new long[] {0, 100, SLOT_BITS, 5L * SLOT_BITS + 37, 9L * SLOT_BITS + 64}) {
            Granularity g = Granularity.of(65536);
            DirtyBitmap whole = new DirtyBitmap(bitCount * g.bytes(), g);
            CountingStore store = new CountingStore();
            StreamedDigests digests = new StreamedDigests(4);
            digests.begin(KEY, g, bitCount);
            for (long first = 0; first < bitCount; first += SLOT_BITS) {
                long bits = Math.min(SLOT_BITS, bitCount - first);
                boolean zeroes = random.nextInt(3) == 0;
                byte[] buf = new byte[(int) DirtyBitmap.serializationSize(first, bits)];
                if (!zeroes) {
                    random.nextBytes(buf);
                    whole.deserialize(first, bits, buf);
                }
                ChunkSlots.write(store, digests, KEY, bitCount, first, bits, zeroes ? null : buf);
            }
            Optional<BitmapDigest.Result> streamed = digests.finish(KEY);
            assertThat(streamed).as("%d bits", bitCount).contains(whole.digest());
            assertThat(ChunkSlots.digest(store, KEY, g, bitCount)).isEqualTo(whole.digest());
            // nothing was stored before each slot, so nothing was read or deleted
            assertThat(store.reads).isZero();
            assertThat(store.deletes).isZero();
            assertThat(digests.tracked()).isZero();
        }
    }

    @Test
    void qemuChunksOfTheSaveSideDigestInStream() {
        Granularity g = Granularity.of(4096);
        long disk = 3L * 1024 * 1024 * 1024 + 12345 * 512;
        DirtyBitmap source = new DirtyBitmap(disk, g);
        Random random = new Random(11);
        for (int i = 0; i < 500; i++) {
            long at = random.nextLong(source.bitCount());
            source.setRange(at, Math.min(source.bitCount() - at, random.nextInt(5000)), true);
        }
        long bitCount = source.bitCount();
        InMemoryLoadStore store = new InMemoryLoadStore();
        StreamedDigests digests = new StreamedDigests(4);
        digests.begin(KEY, g, bitCount);
        BitmapChunker chunker = new BitmapChunker(source, "n", "b");
        ChunkLayout layout = chunker.layout();
        long index = 0;
        for (Chunk.Bits bits : chunker) {
            ChunkSlots.write(store, digests, KEY, bitCount, layout.firstBit(index), layout.bits(index),
                    bits.zeroes() ? null : bits.payload());
            index++;
        }
        assertThat(index).isEqualTo(layout.chunkCount());
        assertThat(digests.finish(KEY)).contains(source.digest());
    }

    @Test
    void goingBackToAHashedSlotFallsBackToTheStore() {
        Granularity g = Granularity.of(512);
        long bitCount = 4L * SLOT_BITS;
        byte[] ones = new byte[ChunkSlots.SLOT_BYTES];
        Arrays.fill(ones, (byte) 0xff);
        InMemoryLoadStore store = new InMemoryLoadStore();
        StreamedDigests digests = new StreamedDigests(4);
        digests.begin(KEY, g, bitCount);
        ChunkSlots.write(store, digests, KEY, bitCount, SLOT_BITS, SLOT_BITS, ones);
        ChunkSlots.write(store, digests, KEY, bitCount, 0, SLOT_BITS, ones);
        assertThat(digests.finish(KEY)).isEmpty();

        DirtyBitmap whole = new DirtyBitmap(bitCount * g.bytes(), g);
        whole.setRange(0, 2L * SLOT_BITS, true);
        assertThat(ChunkSlots.digest(store, KEY, g, bitCount)).isEqualTo(whole.digest());

        // a ZEROES over a slot already hashed must still delete it, and ends the running digest
        StreamedDigests again = new StreamedDigests(4);
        InMemoryLoadStore second = new InMemoryLoadStore();
        again.begin(KEY, g, bitCount);
        ChunkSlots.write(second, again, KEY, bitCount, 0, SLOT_BITS, ones);
        ChunkSlots.write(second, again, KEY, bitCount, 0, SLOT_BITS, null);
        assertThat(second.storedChunks(KEY)).isZero();
        assertThat(again.finish(KEY)).isEmpty();
    }

    @Test
    void randomRangesGiveTheSameResultStreamedOrNot() {
        Random random = new Random(301);
        int streamedCount = 0;
        for (int round = 0; round < 60; round++) {
            long bitCount = 1 + random.nextLong(6L * SLOT_BITS);
            Granularity g = Granularity.of(4096);
            DirtyBitmap whole = new DirtyBitmap(bitCount * g.bytes(), g);
            InMemoryLoadStore store = new InMemoryLoadStore();
            StreamedDigests digests = new StreamedDigests(2);
            digests.begin(KEY, g, bitCount);
            long next = 0;
            for (int i = 0; i < 12 && next < bitCount; i++) {
                // mostly forward word-aligned ranges, sometimes back over earlier ones
                long firstBit = random.nextInt(4) == 0 ? (random.nextLong(bitCount) >>> 6) << 6 : next;
                long max = bitCount - firstBit;
                long bits = 1 + random.nextLong(Math.min(max, 3L * SLOT_BITS));
                if (firstBit + bits != bitCount) {
                    bits = Math.min(Math.max(64, bits >>> 6 << 6), max);
                }
                boolean zeroes = random.nextInt(4) == 0;
                byte[] buf = new byte[(int) DirtyBitmap.serializationSize(firstBit, bits)];
                if (!zeroes) {
                    random.nextBytes(buf);
                }
                whole.deserialize(firstBit, bits, zeroes ? new byte[buf.length] : buf);
                ChunkSlots.write(store, digests, KEY, bitCount, firstBit, bits, zeroes ? null : buf);
                next = Math.max(next, firstBit + bits);
            }
            Optional<BitmapDigest.Result> streamed = digests.finish(KEY);
            BitmapDigest.Result expected = whole.digest();
            streamed.ifPresent(r -> assertThat(r).isEqualTo(expected));
            streamedCount += streamed.isPresent() ? 1 : 0;
            assertThat(ChunkSlots.digest(store, KEY, g, bitCount)).as("%d bits", bitCount).isEqualTo(expected);
        }
        // both paths were taken
        assertThat(streamedCount).isBetween(1, 59);
    }

    @Test
    void unknownSizesAndEvictedBitmapsAreNotTracked() {
        Granularity g = Granularity.of(512);
        StreamedDigests digests = new StreamedDigests(2);
        digests.begin(KEY, g, -1);
        assertThat(digests.tracked()).isZero();
        assertThat(digests.neverStored(KEY, 0)).isFalse();
        BitmapKey a = new BitmapKey("m", "n", "a");
        BitmapKey b = new BitmapKey("m", "n", "b2");
        BitmapKey c = new BitmapKey("m", "n", "c");
        digests.begin(a, g, 64);
        digests.begin(b, g, 64);
        digests.begin(c, g, 64);
        assertThat(digests.tracked()).isEqualTo(2);
        assertThat(digests.finish(a)).isEmpty();
        assertThat(digests.finish(c)).isPresent();
        digests.forget(b);
        assertThat(digests.finish(b)).isEmpty();
        assertThatThrownBy(() -> new StreamedDigests(0)).hasMessageContaining("capacity");
    }

    /** An in-memory store that counts the slot reads and deletes the loader asks for. */
    private static final class CountingStore implements LoadStore {
        private final InMemoryLoadStore inner = new InMemoryLoadStore();
        private int reads;
        private int deletes;

        @Override
        public Optional<BitmapState> bitmap(BitmapKey key) {
            return inner.bitmap(key);
        }

        @Override
        public void putUpdatePending(BitmapKey key) {
            inner.putUpdatePending(key);
        }

        @Override
        public java.util.List<BitmapKey> updatesPending() {
            return inner.updatesPending();
        }

        @Override
        public void deleteUpdatePending(BitmapKey key) {
            inner.deleteUpdatePending(key);
        }

        @Override
        public void putBitmap(BitmapKey key, BitmapState state) {
            inner.putBitmap(key, state);
        }

        @Override
        public void deleteBitmap(BitmapKey key) {
            inner.deleteBitmap(key);
        }

        @Override
        public java.util.List<BitmapKey> bitmapsOf(String migration) {
            return inner.bitmapsOf(migration);
        }

        @Override
        public byte[] chunk(BitmapKey key, long index) {
            reads++;
            return inner.chunk(key, index);
        }

        @Override
        public void putChunk(BitmapKey key, long index, byte[] bytes) {
            inner.putChunk(key, index, bytes);
        }

        @Override
        public void deleteChunk(BitmapKey key, long index) {
            deletes++;
            inner.deleteChunk(key, index);
        }

        @Override
        public void forEachChunk(BitmapKey key, ChunkVisitor visitor) {
            inner.forEachChunk(key, visitor);
        }

        @Override
        public Optional<LoadError> stopReason(String migration) {
            return inner.stopReason(migration);
        }

        @Override
        public void putStopReason(String migration, LoadError reason) {
            inner.putStopReason(migration, reason);
        }

        @Override
        public Optional<String> completedBy(String target, String node, String bitmap) {
            return inner.completedBy(target, node, bitmap);
        }

        @Override
        public void putCompleted(BitmapNames names) {
            inner.putCompleted(names);
        }

        @Override
        public java.util.List<BitmapKey> bitmapsOn(String target, String node) {
            return inner.bitmapsOn(target, node);
        }

        @Override
        public boolean switchedOver(String migration) {
            return inner.switchedOver(migration);
        }

        @Override
        public void putSwitchedOver(String migration) {
            inner.putSwitchedOver(migration);
        }

        @Override
        public java.util.List<BitmapKey> keysNamed(String target, String node, String bitmap) {
            return inner.keysNamed(target, node, bitmap);
        }

        @Override
        public void freeName(BitmapNames names) {
            inner.freeName(names);
        }

        @Override
        public void putTouched(BitmapKey key, long firstByte, long endByte) {
            inner.putTouched(key, firstByte, endByte);
        }

        @Override
        public void forEachTouched(BitmapKey key, RangeVisitor visitor) {
            inner.forEachTouched(key, visitor);
        }

        @Override
        public void deleteTouched(BitmapKey key) {
            inner.deleteTouched(key);
        }

        @Override
        public boolean refused(BitmapKey key) {
            return inner.refused(key);
        }

        @Override
        public void putRefused(BitmapKey key) {
            inner.putRefused(key);
        }
    }
}
