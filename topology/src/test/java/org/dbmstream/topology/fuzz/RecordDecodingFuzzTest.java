package org.dbmstream.topology.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.dbmstream.bitmap.DirtyBitmap;
import org.dbmstream.bitmap.Granularity;
import org.dbmstream.bitmap.chunk.Chunk;
import org.dbmstream.bitmap.chunk.MigrationBitmap;
import org.dbmstream.bitmap.chunk.MigrationSequencer;
import org.dbmstream.schemas.MigrationSpec;
import org.dbmstream.serdes.ChunkRecords;
import org.dbmstream.serdes.DbmSerdes;
import org.dbmstream.testkit.fuzz.AllocationMeter;
import org.dbmstream.testkit.fuzz.FuzzRunner;
import org.dbmstream.testkit.fuzz.FuzzVerdict;
import org.dbmstream.testkit.fuzz.Mutator;
import org.dbmstream.topology.record.CheckedChunkValueSerde;
import org.junit.jupiter.api.Test;

/**
 * Fuzzes the destination's record deserializers with mutated records of every kind the chunks and
 * migrations topics carry (START, BITS with a payload, ZEROES, COMPLETE, EOS values, chunk keys,
 * migration specs): each gives a record or a Kafka {@link SerializationException}, which Kafka
 * Streams hands to the dead-letter queue with the error in headers, within the allocation bound.
 */
class RecordDecodingFuzzTest {
    private static final Map<String, Object> CONFIG = Map.of();

    @Test
    void mutatedChunkValuesDecodeOrFailAsSerializationErrors() {
        final List<Mutator> seeds = new ArrayList<>();
        final var values = DbmSerdes.chunkValue(CONFIG);
        long seq = 0;
        for (final Chunk c : sampleMigration()) {
            seeds.add(new Mutator(values.serialize("chunks", ChunkRecords.toAvro(c, seq++, "fuzz"))));
        }
        run("chunk values", seeds, new CheckedChunkValueSerde(CONFIG));
    }

    @Test
    void mutatedChunkKeysAndSpecsDecodeOrFailAsSerializationErrors() {
        final List<Chunk> chunks = sampleMigration();
        final var keys = DbmSerdes.chunkKey(CONFIG);
        run("chunk keys", List.of(new Mutator(keys.serialize("chunks", ChunkRecords.keyOf("m1", chunks.get(0))))),
                keys);
        final var specs = DbmSerdes.migrationSpec(CONFIG);
        final byte[] spec = specs.serialize("migrations", new MigrationSpec("m1", "vm1", null, null,
                java.time.Instant.EPOCH, false));
        run("migration specs", List.of(new Mutator(spec)), specs);
    }

    private static void run(final String name, final List<Mutator> seeds, final Deserializer<?> deserializer) {
        assertBothPaths(FuzzRunner.run(name, rnd -> {
            final Mutator seed = seeds.get(rnd.nextInt(seeds.size()));
            final var ms = seed.randomMutations(rnd, 3);
            return new FuzzRunner.Input(seed.apply(ms), ms);
        }, input -> {
            final var m = AllocationMeter.measure(() -> deserializer.deserialize("t", input));
            return FuzzVerdict.check(input, m, 8, "", SerializationException.class) != null;
        }));
    }

    /** STARTs, BITS with a payload, ZEROES, COMPLETEs and EOS, as QEMU's save side orders them. */
    private static List<Chunk> sampleMigration() {
        final DirtyBitmap bits = new DirtyBitmap(1 << 30, Granularity.of(65536));
        bits.setRange(0, 100, true);
        final List<Chunk> out = new ArrayList<>();
        final MigrationSequencer seq = new MigrationSequencer(List.of(new MigrationBitmap("disk0", "b0", true, true,
                bits)));
        seq.setup(out::add);
        seq.complete(out::add);
        return out;
    }

    /** Every try ran, and the mutations reached both the readers' success and their named-error paths. */
    private static void assertBothPaths(final FuzzRunner.Summary summary) {
        assertThat(summary.refused()).as(summary.toString()).isPositive().isLessThan(summary.tries());
    }
}
