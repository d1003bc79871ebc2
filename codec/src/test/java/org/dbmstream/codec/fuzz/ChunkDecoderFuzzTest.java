package org.dbmstream.codec.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.dbmstream.codec.ChunkCodec;
import org.dbmstream.codec.ChunkFormatException;
import org.dbmstream.codec.ChunkNames;
import org.dbmstream.codec.TestData;
import org.dbmstream.codec.WireChunk;
import org.dbmstream.codec.WireReader;
import org.dbmstream.codec.savevm.SavevmChunk;
import org.dbmstream.codec.savevm.SavevmReader;
import org.dbmstream.testkit.fuzz.AllocationMeter;
import org.dbmstream.testkit.fuzz.FuzzRunner;
import org.dbmstream.testkit.fuzz.FuzzVerdict;
import org.dbmstream.testkit.fuzz.Mutator;
import org.junit.jupiter.api.Test;

/**
 * Fuzzes QEMU's chunk decoder with the real chunks of a stream QEMU wrote, mutated: every input
 * decodes to a chunk that re-encodes to exactly the same bytes, or fails with a
 * {@link ChunkFormatException} naming an offset inside the input, within the allocation bound.
 */
class ChunkDecoderFuzzTest {
    private static final byte[] STREAM = TestData.bytes("streams/mig1-min.stream");
    private static final long[] HOT = {1L << 40, ChunkCodec.BUFFER_TOO_BIG.length()};
    private static final List<Mutator> CHUNKS = realChunks();

    @Test
    void oneChunkDecodesExactlyOrFailsNamingAnOffset() {
        FuzzRunner.run("chunk decoder", rnd -> {
            final Mutator seed = CHUNKS.get(rnd.nextInt(CHUNKS.size()));
            final var ms = seed.randomMutations(rnd, 4);
            return new FuzzRunner.Input(seed.apply(ms), ms);
        }, input -> {
            final WireChunk[] decoded = new WireChunk[1];
            final var m = AllocationMeter.measure(() -> decoded[0] = ChunkCodec.decode(input));
            final Throwable error = FuzzVerdict.check(input, m, 4, "at offset 0x", ChunkFormatException.class);
            if (error == null) {
                assertThat(ChunkCodec.toBytes(decoded[0])).as("re-encoded").isEqualTo(input);
                return false;
            }
            assertThat(((ChunkFormatException) error).offset()).isBetween(0L, (long) input.length);
            return true;
        });
    }

    @Test
    void aRunOfChunksIsReadInOrderUntilTheFirstError() {
        final Mutator all = new Mutator(concat()).withHotValues(HOT);
        FuzzRunner.run("chunk sequence", FuzzRunner.mutations(all, 4), input -> {
            final var m = AllocationMeter.measure(() -> {
                final WireReader in = new WireReader(new ByteArrayInputStream(input), 0);
                final ChunkNames names = new ChunkNames();
                long last = -1;
                while (!in.atEnd()) {
                    final long at = in.position();
                    assertThat(at).isGreaterThan(last);
                    last = at;
                    names.resolve(ChunkCodec.read(in), at);
                }
            });
            return FuzzVerdict.check(input, m, 8, "at offset 0x", ChunkFormatException.class) != null;
        });
    }

    @Test
    void randomBytesNeverEscapeTheDecoder() {
        FuzzRunner.run("chunk decoder, random bytes", rnd -> {
            final byte[] b = new byte[rnd.nextInt(48)];
            rnd.nextBytes(b);
            return new FuzzRunner.Input(b, "random");
        }, input -> {
            final var m = AllocationMeter.measure(() -> ChunkCodec.decode(input));
            return FuzzVerdict.check(input, m, 4, "at offset 0x", ChunkFormatException.class) != null;
        });
    }

    /** Each chunk of the stream, as the bytes QEMU wrote for it. */
    private static List<Mutator> realChunks() {
        try (SavevmReader r = SavevmReader.of(new ByteArrayInputStream(STREAM), 4096)) {
            final List<Mutator> out = new ArrayList<>();
            for (SavevmChunk c = r.next(); c != null; c = r.next()) {
                final byte[] b = new byte[c.length()];
                System.arraycopy(STREAM, (int) c.offset(), b, 0, b.length);
                out.add(new Mutator(b).withHotValues(HOT));
            }
            return out;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] concat() {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        CHUNKS.forEach(c -> out.writeBytes(c.original()));
        return out.toByteArray();
    }
}
