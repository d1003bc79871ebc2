package org.dbmstream.connectors;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
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

/** Test helper: the committed chunk records of a topic, decoded with the project's serdes. */
final class ChunkLog {
    record Read(ChunkKey key, ChunkValue value, Chunk chunk) {
        String keyText() {
            return key.getNodeAlias() + "/" + key.getBitmapAlias();
        }
    }

    private ChunkLog() {
    }

    /** Every committed record of {@code topic} now, decoded, grouped by migration in log order per partition. */
    static Map<String, List<Read>> read(String bootstrap, String topic) {
        return read(bootstrap, topic, "read_committed");
    }

    /** Every record of {@code topic} now as a reader of {@code isolation} sees it, grouped by migration. */
    static Map<String, List<Read>> read(String bootstrap, String topic, String isolation) {
        Map<String, Object> p = new HashMap<>();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation);
        var keys = DbmSerdes.chunkKey(Map.of()).deserializer();
        var values = DbmSerdes.chunkValue(Map.of()).deserializer();
        Map<String, List<Read>> out = new LinkedHashMap<>();
        try (var c = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> tps = c.partitionsFor(topic).stream()
                    .map(i -> new TopicPartition(topic, i.partition())).toList();
            c.assign(tps);
            c.seekToBeginning(tps);
            Map<TopicPartition, Long> ends = c.endOffsets(tps);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (tps.stream().anyMatch(tp -> c.position(tp) < ends.get(tp)) && System.nanoTime() < deadline) {
                for (var r : c.poll(Duration.ofMillis(200))) {
                    ChunkKey k = keys.deserialize(topic, r.key());
                    ChunkValue v = values.deserialize(topic, r.value());
                    out.computeIfAbsent(k.getMigration(), m -> new ArrayList<>())
                            .add(new Read(k, v, ChunkRecords.toChunk(k, v)));
                }
            }
        }
        return out;
    }

    /** Rebuilds the bitmaps of one migration's records. */
    static Map<String, DirtyBitmap> rebuild(List<Read> reads) {
        Map<String, DirtyBitmap> bitmaps = new LinkedHashMap<>();
        for (Read r : reads) {
            if (r.chunk() instanceof Chunk.Start s) {
                bitmaps.put(r.keyText(), new DirtyBitmap(s.diskSize(), s.granularity()));
            } else if (r.chunk() instanceof Chunk.Bits b) {
                DirtyBitmap bm = bitmaps.get(r.keyText());
                Granularity g = bm.granularity();
                long first = (b.firstSector() << 9) >>> g.shift();
                long end = Math.min(bm.bitCount(), (((b.firstSector() + b.sectors()) << 9) + g.bytes() - 1) >>> g.shift());
                if (end > first && !b.zeroes()) {
                    bm.deserialize(first, end - first, b.payload());
                }
            }
        }
        return bitmaps;
    }
}
