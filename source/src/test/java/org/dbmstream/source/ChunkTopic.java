package org.dbmstream.source;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.dbmstream.bitmap.DirtyBitmap;
import org.dbmstream.bitmap.Granularity;
import org.dbmstream.bitmap.chunk.Chunk;
import org.dbmstream.schemas.ChunkKey;
import org.dbmstream.schemas.ChunkValue;
import org.dbmstream.serdes.ChunkRecords;
import org.dbmstream.serdes.DbmSerdes;

/** Test helper: reads a chunks topic back (decoded with the project's serdes) and rebuilds bitmaps. */
final class ChunkTopic {
    /** One decoded record. */
    record Read(int partition, long offset, long timestamp, ChunkKey key, ChunkValue value, Chunk chunk) {
        String keyText() {
            return key.getNodeAlias() + "/" + key.getBitmapAlias();
        }
    }

    private ChunkTopic() {
    }

    /** Every record of {@code topic} up to its current end, partition by partition. */
    static List<ConsumerRecord<byte[], byte[]>> readAll(String bootstrap, String topic, String isolation) {
        Map<String, Object> p = new HashMap<>();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> tps = c.partitionsFor(topic).stream()
                    .map(i -> new TopicPartition(topic, i.partition())).toList();
            c.assign(tps);
            c.seekToBeginning(tps);
            Map<TopicPartition, Long> ends = c.endOffsets(tps);
            List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (tps.stream().anyMatch(tp -> c.position(tp) < ends.get(tp)) && System.nanoTime() < deadline) {
                c.poll(Duration.ofMillis(200)).forEach(out::add);
            }
            return out;
        }
    }

    /**
     * Waits until every partition's last stable offset reached its high watermark: a transaction's commit
     * returns before the coordinator wrote its markers, and until then a read_committed end is short.
     */
    private static void awaitNoOpenTransaction(String bootstrap, String topic) {
        Map<String, Object> p = new HashMap<>();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        try (KafkaConsumer<byte[], byte[]> committed = new KafkaConsumer<>(p, new ByteArrayDeserializer(),
                new ByteArrayDeserializer());
             KafkaConsumer<byte[], byte[]> all = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                     bootstrap), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> tps = committed.partitionsFor(topic).stream()
                    .map(i -> new TopicPartition(topic, i.partition())).toList();
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (!committed.endOffsets(tps).equals(all.endOffsets(tps)) && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
        }
    }

    /** The chunk records of {@code migration}, decoded. */
    static List<Read> chunks(String bootstrap, String topic, String migration) {
        var keys = DbmSerdes.chunkKey(Map.of()).deserializer();
        var values = DbmSerdes.chunkValue(Map.of()).deserializer();
        List<Read> out = new ArrayList<>();
        awaitNoOpenTransaction(bootstrap, topic);
        for (var r : readAll(bootstrap, topic, "read_committed")) {
            ChunkKey k = keys.deserialize(topic, r.key());
            if (!k.getMigration().equals(migration)) {
                continue;
            }
            ChunkValue v = values.deserialize(topic, r.value());
            out.add(new Read(r.partition(), r.offset(), r.timestamp(), k, v, ChunkRecords.toChunk(k, v)));
        }
        return out;
    }

    /** Rebuilds every bitmap from its chunks (records of one key in log order). */
    static Map<String, DirtyBitmap> rebuild(List<Read> reads, long diskSizeIfUnknown) {
        Map<String, DirtyBitmap> bitmaps = new LinkedHashMap<>();
        for (Read r : reads) {
            if (r.chunk() instanceof Chunk.Start s) {
                long size = s.diskSize() >= 0 ? s.diskSize() : diskSizeIfUnknown;
                bitmaps.put(r.keyText(), new DirtyBitmap(size, s.granularity()));
            } else if (r.chunk() instanceof Chunk.Bits b) {
                DirtyBitmap bm = bitmaps.get(r.keyText());
                Granularity g = bm.granularity();
                long first = (b.firstSector() << 9) >>> g.shift();
                long end = Math.min(bm.bitCount(), (((b.firstSector() + b.sectors()) << 9) + g.bytes() - 1) >>> g.shift());
                if (end > first) {
                    if (b.zeroes()) {
                        bm.setRange(first, end - first, false);
                    } else {
                        bm.deserialize(first, end - first, b.payload());
                    }
                }
            }
        }
        return bitmaps;
    }
}
