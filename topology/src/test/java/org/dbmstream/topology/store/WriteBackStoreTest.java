package org.dbmstream.topology.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.serialization.BytesSerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The write-back buffer reads like the store it sits on for any mix of puts, deletes and scans, whatever
 * its budget; it passes a key on once per flush however often it was written; the store below only
 * changes when the budget overflows or Kafka Streams flushes; other threads (queries) never see waiting
 * writes; a cleared buffer loses them.
 */
class WriteBackStoreTest {
    private KeyValueStore<Bytes, byte[]> below;
    private WriteBackStore store;

    @BeforeEach
    void open() {
        below = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore("below"), Serdes.Bytes(), Serdes.ByteArray())
                .withLoggingDisabled().withCachingDisabled().build();
        store = new WriteBackStore(below, 4096);
        MockProcessorContext<Void, Void> context = new MockProcessorContext<>();
        store.init(context.getStateStoreContext(), store);
    }

    @AfterEach
    void close() {
        store.close();
    }

    @Test
    void randomOperationsReadLikeAPlainMapAtAnyBudget() {
        for (long budget : new long[] {0, 300, 4096, 1 << 20}) {
            WriteBackStore s = new WriteBackStore(below, budget);
            TreeMap<Bytes, byte[]> model = new TreeMap<>();
            all(below).forEach(kv -> model.put(kv.key, kv.value));
            Random random = new Random(budget);
            for (int i = 0; i < 5000; i++) {
                Bytes key = key(random.nextInt(200));
                switch (random.nextInt(10)) {
                    case 0, 1, 2, 3 -> {
                        byte[] v = new byte[1 + random.nextInt(64)];
                        random.nextBytes(v);
                        s.put(key, v);
                        model.put(key, v);
                    }
                    case 4 -> assertThat(s.delete(key)).isEqualTo(model.remove(key));
                    case 5 -> s.flushCache();
                    case 6 -> {
                        Bytes to = key(random.nextInt(200));
                        assertThat(entries(s.range(key, to))).isEqualTo(rangeOf(model, key, to));
                    }
                    case 7 -> {
                        Bytes prefix = Bytes.wrap(new byte[] {'k', (byte) random.nextInt(3)});
                        try (KeyValueIterator<Bytes, byte[]> it = s.prefixScan(prefix, new BytesSerializer())) {
                            assertThat(entries(it)).isEqualTo(prefixOf(model, prefix));
                        }
                    }
                    default -> assertThat(s.get(key)).isEqualTo(model.get(key));
                }
                assertThat(s.waitingBytes()).isLessThanOrEqualTo(budget);
            }
            assertThat(entries(s.all())).isEqualTo(entriesOf(model));
            s.flushCache();
            assertThat(entries(below.all())).isEqualTo(entriesOf(model));
        }
    }

    @Test
    void aKeyWrittenManyTimesReachesTheStoreOncePerFlush() {
        Bytes segment = key(1);
        for (int i = 0; i < 64; i++) {
            byte[] v = store.get(segment) == null ? new byte[1024] : store.get(segment);
            v[i] = 1;
            store.put(segment, v);
        }
        assertThat(below.get(segment)).isNull();
        assertThat(store.writtenThrough()).isZero();
        store.flushCache();
        assertThat(store.flushedEntries()).isEqualTo(1);
        assertThat(store.waitingBytes()).isZero();
        byte[] stored = below.get(segment);
        for (int i = 0; i < 64; i++) {
            assertThat(stored[i]).isEqualTo((byte) 1);
        }
    }

    @Test
    void overTheBudgetTheLeastRecentlyWrittenKeyGoesThrough() {
        byte[] kib = new byte[1024];
        for (int i = 0; i < 4; i++) {
            store.put(key(i), kib);
        }
        // four 1 KiB values plus bookkeeping exceed 4 KiB: the first one went through, the others wait
        assertThat(store.writtenThrough()).isEqualTo(1);
        assertThat(below.get(key(0))).isNotNull();
        assertThat(below.get(key(3))).isNull();
        assertThat(store.waitingBytes()).isLessThanOrEqualTo(4096);
    }

    @Test
    void otherThreadsReadTheStoreBelowOnly() throws Exception {
        below.put(key(1), new byte[] {1});
        store.put(key(1), new byte[] {2});
        store.put(key(2), new byte[] {3});
        store.delete(key(1));
        assertThat(store.get(key(1))).isNull();
        List<Object> seen = CompletableFuture.supplyAsync(() -> List.<Object>of(
                store.get(key(1)), entries(store.all()).size(),
                store.get(key(2)) == null)).get();
        assertThat((byte[]) seen.get(0)).containsExactly(1);
        assertThat(seen.get(1)).isEqualTo(1);
        assertThat(seen.get(2)).isEqualTo(true);
    }

    @Test
    void clearedWritesNeverReachTheStore() {
        store.put(key(1), new byte[] {1});
        store.clearCache();
        store.flushCache();
        assertThat(below.get(key(1))).isNull();
        assertThat(store.get(key(1))).isNull();
    }

    @Test
    void theKeyAfterAPrefixCarriesOverFullBytes() {
        assertThat(WriteBackStore.after(new byte[] {1, 2})).isEqualTo(Bytes.wrap(new byte[] {1, 3}));
        assertThat(WriteBackStore.after(new byte[] {1, (byte) 0xff})).isEqualTo(Bytes.wrap(new byte[] {2}));
        assertThat(WriteBackStore.after(new byte[] {(byte) 0xff})).isNull();
    }

    private static Bytes key(int i) {
        return Bytes.wrap(new byte[] {'k', (byte) (i % 3), (byte) (i >> 8), (byte) i});
    }

    private static List<KeyValue<Bytes, byte[]>> all(KeyValueStore<Bytes, byte[]> s) {
        List<KeyValue<Bytes, byte[]>> out = new ArrayList<>();
        try (KeyValueIterator<Bytes, byte[]> it = s.all()) {
            it.forEachRemaining(out::add);
        }
        return out;
    }

    /** Entries as comparable pairs (arrays compared by content). */
    private static List<Map.Entry<Bytes, Bytes>> entries(KeyValueIterator<Bytes, byte[]> it) {
        List<Map.Entry<Bytes, Bytes>> out = new ArrayList<>();
        try (it) {
            it.forEachRemaining(kv -> out.add(Map.entry(kv.key, Bytes.wrap(kv.value))));
        }
        return out;
    }

    private static List<Map.Entry<Bytes, Bytes>> entriesOf(Map<Bytes, byte[]> m) {
        List<Map.Entry<Bytes, Bytes>> out = new ArrayList<>();
        m.forEach((k, v) -> out.add(Map.entry(k, Bytes.wrap(v))));
        return out;
    }

    private static List<Map.Entry<Bytes, Bytes>> rangeOf(TreeMap<Bytes, byte[]> m, Bytes from, Bytes to) {
        return from.compareTo(to) > 0 ? List.of() : entriesOf(m.subMap(from, true, to, true));
    }

    private static List<Map.Entry<Bytes, Bytes>> prefixOf(TreeMap<Bytes, byte[]> m, Bytes prefix) {
        Bytes after = WriteBackStore.after(prefix.get());
        return entriesOf(after == null ? m.tailMap(prefix, true) : m.subMap(prefix, true, after, false));
    }
}
