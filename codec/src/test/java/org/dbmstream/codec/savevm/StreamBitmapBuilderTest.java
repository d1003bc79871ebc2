package org.dbmstream.codec.savevm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.dbmstream.bitmap.Extent;
import org.dbmstream.bitmap.Granularity;
import org.dbmstream.bitmap.chunk.Chunk;
import org.dbmstream.codec.GoldenChunks;
import org.dbmstream.codec.TestData;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** The bitmaps a stream carries, against the state QEMU's destination reached after loading it. */
class StreamBitmapBuilderTest {
    private static final Pattern FIELD = Pattern.compile("\"(\\w+)\": (\"[^\"]*\"|\\w+)");

    @ParameterizedTest
    @ValueSource(strings = {"streams/mig1-min.stream", "streams/mig1.stream.gz"})
    void builtBitmapsEqualQemusDestination(String stream) throws IOException {
        List<StreamBitmap> built = StreamBitmapBuilder.fromStream(TestData.file(stream));
        List<String> expected = Files.readAllLines(TestData.file("expected/streams-sha256.jsonl"));
        assertThat(built).hasSize(expected.size());
        for (int i = 0; i < built.size(); i++) {
            StreamBitmap b = built.get(i);
            String line = expected.get(i);
            assertThat(b.node()).isEqualTo(field(line, "node"));
            assertThat(b.name()).isEqualTo(field(line, "name"));
            assertThat(b.size()).as(b.name()).isEqualTo(Long.parseLong(field(line, "size")));
            assertThat(b.granularity()).as(b.name()).isEqualTo(Long.parseLong(field(line, "granularity")));
            assertThat(b.enabled()).as(b.name()).isEqualTo(Boolean.parseBoolean(field(line, "enabled")));
            assertThat(b.persistent()).as(b.name()).isEqualTo(Boolean.parseBoolean(field(line, "persistent")));
            assertThat(b.count()).as(b.name()).isEqualTo(Long.parseLong(field(line, "count")));
            assertThat(b.sha256()).as(b.name()).isEqualTo(field(line, "sha256"));
            assertThat(b.complete()).isTrue();
        }
    }

    @Test
    void dirtyRangesEqualQemusDecodedFinalState() throws IOException {
        List<StreamBitmap> built = StreamBitmapBuilder.fromStream(TestData.file("streams/mig1-min.stream"));
        List<GoldenChunks.Final> finals = GoldenChunks.load().finals;
        assertThat(built).hasSize(finals.size());
        for (int i = 0; i < built.size(); i++) {
            StreamBitmap b = built.get(i);
            GoldenChunks.Final f = finals.get(i);
            assertThat(List.of(b.node(), b.name())).containsExactly(f.node(), f.name());
            assertThat(List.of(b.granularity(), b.enabled(), b.persistent(), b.complete()))
                    .containsExactly(f.gran(), f.enabled(), f.persistent(), f.complete());
            List<String> ranges = new ArrayList<>();
            for (Extent e : b.bitmap().dirtyExtents()) {
                ranges.add(e.start() + "-" + e.end());
            }
            List<String> expected = f.dirty().stream().map(r -> r[0] + "-" + r[1]).toList();
            assertThat(ranges).as(b.name()).isEqualTo(expected);
        }
    }

    @Test
    void chunksThatMakeNoSenseAreReported() {
        StreamBitmapBuilder builder = new StreamBitmapBuilder(1 << 20);
        assertThatThrownBy(() -> builder.accept(new Chunk.Complete("n", "b")))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("never started");
        Chunk.Start start = Chunk.Start.of("n", "b", Granularity.of(512), true, false, -1);
        builder.accept(start);
        assertThatThrownBy(() -> builder.accept(start)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("second START for bitmap n/b");
        byte[] buf = new byte[256];
        buf[255] = (byte) 0x80;
        builder.accept(new Chunk.Bits("n", "b", 0, 2048, buf));
        assertThat(builder.build()).singleElement().satisfies(b -> {
            assertThat(b.size()).isEqualTo(1 << 20);
            assertThat(b.count()).isEqualTo(512);
            assertThat(b.bitmap().get(2047)).isTrue();
            assertThat(b.complete()).isFalse();
        });
        builder.accept(new Chunk.Bits("n", "b", 0, 2048, new byte[32]));
        assertThatThrownBy(builder::build).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("buffer of 32 bytes, need 256");
    }

    private static String field(String json, String name) {
        Matcher m = FIELD.matcher(json);
        while (m.find()) {
            if (m.group(1).equals(name)) {
                String v = m.group(2);
                return v.startsWith("\"") ? v.substring(1, v.length() - 1) : v;
            }
        }
        throw new AssertionError("no field " + name + " in " + json);
    }
}
