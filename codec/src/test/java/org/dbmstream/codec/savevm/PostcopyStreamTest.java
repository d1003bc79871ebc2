package org.dbmstream.codec.savevm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.List;
import org.dbmstream.codec.ChunkNames;
import org.dbmstream.codec.WireChunk;
import org.dbmstream.testkit.PostcopyFixture;
import org.junit.jupiter.api.Test;

/** QEMU 7.2 postcopy streams: ADVISE, the PACKAGED nested stream with LISTEN and RUN, and the bitmaps after. */
class PostcopyStreamTest {
    private final PostcopyFixture pc1 = PostcopyFixture.load("pc1");

    @Test
    void readsEveryChunkAndFindsTheSwitchoverWhereRunIs() throws IOException {
        try (SavevmReader r = SavevmReader.open(pc1.stream())) {
            long beforeRun = -1;
            int completes = 0;
            int chunks = 0;
            for (SavevmChunk c = r.next(); c != null; c = r.next()) {
                chunks++;
                if (r.switchoverAfter() >= 0 && beforeRun < 0) {
                    beforeRun = r.switchoverAfter();
                    assertThat(completes).as("no bitmap completes before the VM starts").isZero();
                }
                if (c.wire().kind() == WireChunk.Kind.COMPLETE) {
                    completes++;
                }
            }
            assertThat(r.postcopy()).isTrue();
            assertThat(r.switchoverAfter()).isPositive().isLessThan(chunks);
            assertThat(completes).isEqualTo(2);
        }
    }

    @Test
    void theBitmapsTheStreamCarriesAreTheSourcesAsQemuReportedThem() throws IOException {
        List<StreamBitmap> built = StreamBitmapBuilder.fromStream(pc1.stream());
        assertThat(built).hasSameSizeAs(pc1.source());
        for (PostcopyFixture.Bitmap q : pc1.source()) {
            StreamBitmap b = built.stream().filter(x -> x.name().equals(q.name())).findFirst().orElseThrow();
            assertThat(List.of(b.node(), b.granularity(), b.count(), b.sha256(), b.persistent(), b.enabled()))
                    .as(q.name()).containsExactly(q.node(), q.granularity(), q.count(), q.sha256(), q.persistent(),
                            q.recording());
        }
    }

    @Test
    void anOversizedPackageIsRefusedWithQemusMessage() {
        byte[] stream = {'Q', 'E', 'V', 'M', 0, 0, 0, 3, 0x08, 0, 7, 0, 4, 0x01, 0, 0, 1};
        assertThatThrownBy(() -> {
            try (SavevmReader r = SavevmReader.of(new ByteArrayInputStream(stream), 4096)) {
                r.next();
            }
        }).isInstanceOf(SavevmFormatException.class)
                .hasMessageContaining("Unreasonably large packaged state: 16777217");
    }

    @Test
    void namesCarryAcrossThePackage() throws IOException {
        // the chunks after RUN omit names QEMU sent before it; they resolve as in one stream
        ChunkNames names = new ChunkNames();
        try (SavevmReader r = SavevmReader.open(pc1.stream())) {
            for (SavevmChunk c = r.next(); c != null; c = r.next()) {
                names.resolve(c.wire(), c.offset());
            }
        }
    }
}
