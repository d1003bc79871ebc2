package org.dbmstream.topology.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.dbmstream.bitmap.DirtyBitmap;
import org.dbmstream.bitmap.Granularity;
import org.dbmstream.bitmap.load.BitmapKey;
import org.dbmstream.bitmap.load.BitmapNames;
import org.dbmstream.bitmap.load.BitmapState;
import org.dbmstream.bitmap.load.ChunkSlots;
import org.dbmstream.bitmap.load.StreamedDigests;
import org.dbmstream.topology.codec.StoreKeys;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Bits kept in 64 KiB segments on a real key-value store give the same bytes, sha256 and count as the
 * whole in-memory bitmap for any sequence of BITS and ZEROES ranges; no value exceeds a segment; all-zero
 * segments are not stored; a store of per-slot entries (the layout before segments) is converted once.
 */
class SegmentedBitsTest {
    private static final Granularity G = Granularity.of(65536);

    private KeyValueStore<Bytes, byte[]> bits;
    private KeyValueStore<Bytes, byte[]> meta;

    @BeforeEach
    void stores() {
        final MockProcessorContext<Void, Void> context = new MockProcessorContext<>();
        bits = store("bits");
        meta = store("meta");
        bits.init(context.getStateStoreContext(), bits);
        meta.init(context.getStateStoreContext(), meta);
    }

    @AfterEach
    void close() {
        bits.close();
        meta.close();
    }

    @Test
    void randomRangesMatchTheWholeBitmapInSegments() {
        final Random random = new Random(14);
        for (final long bitCount : new long[] {200 * 8192 + 37, 8192, 100, 64 * 8192, 3 * 64 * 8192 + 64}) {
            final BitmapKey key = new BitmapKey("m" + bitCount, "n", "b");
            final KeyValueLoadStore store = loadStore();
            store.putBitmap(key, started(key, bitCount));
            final DirtyBitmap whole = new DirtyBitmap(bitCount * G.bytes(), G);
            for (int i = 0; i < 300; i++) {
                final long firstBit = (random.nextLong(bitCount) >>> 6) << 6;
                final long max = bitCount - firstBit;
                long n = 1 + random.nextLong(Math.min(max, 3 * 8192 * 8));
                if (firstBit + n != bitCount) {
                    n = Math.min(max, Math.max(64, n >>> 6 << 6));
                }
                final boolean zeroes = random.nextInt(3) == 0;
                final byte[] buf = new byte[(int) DirtyBitmap.serializationSize(firstBit, n)];
                if (!zeroes) {
                    random.nextBytes(buf);
                }
                whole.deserialize(firstBit, n, buf);
                ChunkSlots.write(store, key, bitCount, firstBit, n, zeroes ? null : buf);
            }
            assertThat(ChunkSlots.digest(store, key, G, bitCount)).as("%d bits", bitCount).isEqualTo(whole.digest());
            assertSegmentsMatch(key, whole, bitCount);
        }
    }

    @Test
    void wideSlotAlignedRangesMatchTheWholeBitmapInSegments() {
        final Random random = new Random(21);
        for (final long bitCount : new long[] {200 * 8192 + 37, 64 * 8192, 3 * 64 * 8192 + 64, 10 * 8192}) {
            final BitmapKey key = new BitmapKey("w" + bitCount, "n", "b");
            final KeyValueLoadStore store = loadStore();
            store.putBitmap(key, started(key, bitCount));
            final DirtyBitmap whole = new DirtyBitmap(bitCount * G.bytes(), G);
            for (int i = 0; i < 300; i++) {
                // wide chunks start on a slot (QEMU's chunk boundaries) and span up to 10 of them
                final long firstBit = random.nextLong(bitCount / 8192 + 1) * 8192;
                if (firstBit >= bitCount) {
                    continue;
                }
                final long n = Math.min(bitCount - firstBit, 8192L * (1 + random.nextInt(10)));
                final byte[] buf = new byte[(int) DirtyBitmap.serializationSize(firstBit, n)];
                for (int at = 0; at < buf.length; at += 1024) {
                    // some slots of a chunk all zero, some random
                    if (random.nextInt(3) != 0) {
                        final byte[] part = new byte[Math.min(1024, buf.length - at)];
                        random.nextBytes(part);
                        System.arraycopy(part, 0, buf, at, part.length);
                    }
                }
                final boolean zeroes = random.nextInt(5) == 0;
                whole.deserialize(firstBit, n, zeroes ? new byte[buf.length] : buf);
                ChunkSlots.write(store, key, bitCount, firstBit, n, zeroes ? null : buf);
            }
            assertThat(ChunkSlots.digest(store, key, G, bitCount)).as("%d bits", bitCount).isEqualTo(whole.digest());
            assertSegmentsMatch(key, whole, bitCount);
        }
    }

    @Test
    void inOrderLoadStoresOnlyDirtySegmentsAndStreamsTheDigest() {
        final long bitCount = 16L * 1024 * 1024; // a 1 TiB disk at 64 KiB granularity: 2048 chunks, 32 segments
        final BitmapKey key = new BitmapKey("m", "n", "b");
        final KeyValueLoadStore store = loadStore();
        store.putBitmap(key, started(key, bitCount));
        final StreamedDigests digests = new StreamedDigests(4);
        digests.begin(key, G, bitCount);
        final DirtyBitmap whole = new DirtyBitmap(bitCount * G.bytes(), G);
        final Random random = new Random(7);
        final long chunkBits = 8192;
        for (long first = 0; first < bitCount; first += chunkBits) {
            final byte[] buf = new byte[1024];
            // dirty only in segments 3 and 17: the other 30 segments get ZEROES chunks
            final long segment = first / (chunkBits * SegmentedBits.SEGMENT_SLOTS);
            final boolean dirty = segment == 3 || segment == 17 && random.nextBoolean();
            if (dirty) {
                random.nextBytes(buf);
                whole.deserialize(first, chunkBits, buf);
            }
            ChunkSlots.write(store, digests, key, bitCount, first, chunkBits, dirty ? buf : null);
        }
        assertThat(digests.finish(key)).contains(whole.digest());
        assertThat(ChunkSlots.digest(store, key, G, bitCount)).isEqualTo(whole.digest());
        assertThat(keys()).hasSize(2);
        assertSegmentsMatch(key, whole, bitCount);

        store.deleteBitmap(key);
        assertThat(keys()).isEmpty();
    }

    @Test
    void slotsOfTheLayoutBeforeSegmentsAreConvertedOnce() {
        final long bitCount = 130 * 8192 + 64;
        final BitmapKey key = new BitmapKey("old", "n", "b");
        final BitmapKey other = new BitmapKey("old", "n", "b2");
        final DirtyBitmap whole = new DirtyBitmap(bitCount * G.bytes(), G);
        final Random random = new Random(3);
        for (final long slot : new long[] {0, 1, 63, 64, 100, 130}) {
            final byte[] buf = new byte[slot == 130 ? 8 : 1024];
            random.nextBytes(buf);
            whole.deserialize(slot * 8192, slot == 130 ? 64 : 8192, buf);
            bits.put(StoreKeys.chunk(key, slot), buf);
        }
        bits.put(StoreKeys.chunk(other, 5), new byte[1024]); // an all-zero slot: dropped
        final KeyValueLoadStore store = loadStore();
        store.putBitmap(key, started(key, bitCount));

        assertThat(store.upgradeBitsLayout(new Keyspace(meta, StoreNames.LAYOUT))).isEqualTo(7);
        assertThat(store.upgradeBitsLayout(new Keyspace(meta, StoreNames.LAYOUT))).isZero();
        assertThat(keys()).hasSize(3);
        assertThat(ChunkSlots.digest(store, key, G, bitCount)).isEqualTo(whole.digest());
        assertSegmentsMatch(key, whole, bitCount);
        assertThat(store.chunk(other, 5)).isNull();
    }

    private void assertSegmentsMatch(final BitmapKey key, final DirtyBitmap whole, final long bitCount) {
        final long[] seen = {0};
        SegmentedBits.forEachRange(bits, StoreKeys.bitmap(key).get(), (firstBit, bytes) -> {
            assertThat(bytes.length).isBetween(1, SegmentedBits.SEGMENT_BYTES);
            assertThat(firstBit).isGreaterThanOrEqualTo(seen[0]);
            final long n = Math.min(bytes.length * 8L, bitCount - firstBit);
            assertThat(bytes).isEqualTo(whole.serialize(firstBit, n));
            assertThat(bytes).isNotEqualTo(new byte[bytes.length]);
            seen[0] = firstBit + n;
        });
    }

    private List<Bytes> keys() {
        final List<Bytes> keys = new ArrayList<>();
        try (KeyValueIterator<Bytes, byte[]> it = bits.all()) {
            it.forEachRemaining(kv -> keys.add(kv.key));
        }
        return keys;
    }

    private KeyValueLoadStore loadStore() {
        return new KeyValueLoadStore(new Keyspace(meta, StoreNames.BITMAP_STATES), bits,
                new Keyspace(meta, StoreNames.STOPS), new Keyspace(meta, StoreNames.NAMES));
    }

    private static BitmapState started(final BitmapKey key, final long bitCount) {
        final BitmapNames names = new BitmapNames(key.migration(), "vm", "drive0", key.nodeAlias(), "b",
                key.bitmapAlias());
        return BitmapState.started(names, G, bitCount * G.bytes(), false, true);
    }

    private static KeyValueStore<Bytes, byte[]> store(final String name) {
        return Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(name), Serdes.Bytes(), Serdes.ByteArray())
                .withLoggingDisabled().build();
    }
}
