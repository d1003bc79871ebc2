package org.dbmstream.codec.savevm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.dbmstream.bitmap.chunk.Chunk;
import org.dbmstream.codec.ChunkCodec;
import org.dbmstream.codec.ChunkNames;
import org.dbmstream.codec.TestData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The dirty-bitmap section the writer lays out is the one QEMU's save side wrote, chunk for chunk, byte for byte. */
class SavevmWriterTest {
    @TempDir
    Path tmp;

    @Test
    void rewritesQemusOwnStreamWithTheSameChunksInTheSameSections() throws Exception {
        final List<SavevmChunk> qemu = SavevmReader.readAll(TestData.file("streams/mig1-min.stream"));
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final SavevmWriter writer = new SavevmWriter(out, "none");
        final ChunkNames names = new ChunkNames();
        for (final SavevmChunk c : qemu) {
            writer.chunk(names.resolve(c.wire(), c.offset()));
        }
        writer.finish();
        final Path ours = tmp.resolve("ours.stream");
        Files.write(ours, out.toByteArray());

        final List<SavevmChunk> written = SavevmReader.readAll(ours);
        assertThat(written).hasSameSizeAs(qemu);
        for (int i = 0; i < qemu.size(); i++) {
            assertThat(written.get(i).section()).as("section of chunk " + i).isEqualTo(qemu.get(i).section());
            assertThat(ChunkCodec.toBytes(written.get(i).wire())).as("bytes of chunk " + i)
                    .isEqualTo(ChunkCodec.toBytes(qemu.get(i).wire()));
        }
        try (SavevmReader r = SavevmReader.of(new ByteArrayInputStream(out.toByteArray()), 4096)) {
            while (r.next() != null) {
                // read to the end: EOF and the VM description parse
            }
            assertThat(r.vmDescription()).contains("devices");
        }
    }

    @Test
    void anIncompleteMigrationCannotBeFinished() throws Exception {
        final SavevmWriter writer = new SavevmWriter(new ByteArrayOutputStream(), "none");
        writer.chunk(Chunk.EndOfStream.empty());
        assertThatThrownBy(writer::finish).hasMessageContaining("incomplete");
    }
}
