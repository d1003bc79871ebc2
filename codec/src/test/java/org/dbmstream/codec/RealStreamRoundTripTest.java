package org.dbmstream.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.dbmstream.bitmap.chunk.Chunk;
import org.dbmstream.codec.savevm.SavevmChunk;
import org.dbmstream.codec.savevm.SavevmReader;
import org.junit.jupiter.api.Test;

/** The chunk codec on the bytes QEMU itself sent. */
class RealStreamRoundTripTest {

    @Test
    void everyChunkOfBothStreamsReencodesByteForByte() throws IOException {
        for (String name : List.of("streams/mig1-min.stream", "streams/mig1.stream.gz")) {
            byte[] stream = TestData.bytes(name);
            List<SavevmChunk> chunks = SavevmReader.readAll(TestData.file(name));
            assertThat(chunks).hasSizeGreaterThanOrEqualTo(22);
            for (SavevmChunk c : chunks) {
                byte[] original = Arrays.copyOfRange(stream, (int) c.offset(), (int) c.offset() + c.length());
                assertThat(ChunkCodec.toBytes(c.wire())).as("%s chunk at 0x%x", name, c.offset())
                        .isEqualTo(original);
                assertThat(ChunkCodec.decode(original)).isEqualTo(c.wire());
            }
        }
    }

    @Test
    void encoderEmitsNamesExactlyWhereQemusSaveSideDid() throws IOException {
        List<SavevmChunk> chunks = SavevmReader.readAll(TestData.file("streams/mig1-min.stream"));
        ChunkNames names = new ChunkNames();
        ChunkEncoder encoder = new ChunkEncoder();
        for (SavevmChunk c : chunks) {
            Chunk resolved = names.resolve(c.wire(), c.offset());
            assertThat(encoder.toWire(resolved)).as("chunk at 0x%x", c.offset()).isEqualTo(c.wire());
        }
    }

    @Test
    void truncatingTheChunkSequenceAtEveryByteGivesTheOffset() throws IOException {
        List<SavevmChunk> chunks = SavevmReader.readAll(TestData.file("streams/mig1-min.stream"));
        ByteArrayOutputStream seq = new ByteArrayOutputStream();
        List<Long> starts = new ArrayList<>();
        for (SavevmChunk c : chunks) {
            starts.add((long) seq.size());
            ChunkCodec.write(c.wire(), seq);
        }
        byte[] all = seq.toByteArray();
        for (int p = 0; p <= all.length; p++) {
            WireReader in = WireReader.of(Arrays.copyOf(all, p));
            int decoded = 0;
            try {
                while (!in.atEnd()) {
                    ChunkCodec.read(in);
                    decoded++;
                }
                assertThat(p == all.length || starts.contains((long) p)).as("clean end at %d", p).isTrue();
                assertThat(decoded).isEqualTo(p == all.length ? chunks.size() : starts.indexOf((long) p));
            } catch (ChunkFormatException e) {
                long chunkStart = starts.get(decoded);
                assertThat(e.offset()).as("cut at %d: %s", p, e.getMessage()).isEqualTo(p);
                assertThat(e.chunkOffset()).isEqualTo(chunkStart);
                assertThat(e.getMessage()).startsWith("truncated chunk");
            } catch (RuntimeException e) {
                fail("cut at " + p + " threw " + e);
            }
        }
    }
}
