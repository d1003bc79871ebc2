package org.dbmstream.nbd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import org.dbmstream.bitmap.Granularity;
import org.dbmstream.testkit.QemuNbdServer;
import org.dbmstream.testkit.QemuTestData;
import org.dbmstream.testkit.QemuTools;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Live bitmaps read over NBD from a real qemu-nbd have QEMU's own sha256/count. */
class NbdDirtyBitmapIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @TempDir
    Path tmp;

    @BeforeAll
    static void qemu() {
        assumeTrue(QemuTools.available("qemu-nbd"), "qemu-nbd is not installed");
    }

    @Test
    void everyBitmapOfTheSharedImagesMatchesQemu() throws Exception {
        for (final String image : new String[] {"img1", "img2", "img5", "img5-ones"}) {
            final Path file = QemuTestData.image(image, tmp);
            final var expected = QemuTestData.expected(image + ".qcow2");
            final String[] names = expected.stream().map(e -> e.get("name").asText()).toArray(String[]::new);
            try (QemuNbdServer server = QemuNbdServer.start(file, image, tmp, names)) {
                assertEveryBitmapMatchesQemu(NbdUri.parse(server.uri("")), image, tmp);
            }
        }
    }

    /** Reads every bitmap of shared image {@code image} through {@code uri}: QEMU's size, sha256 and count. */
    static void assertEveryBitmapMatchesQemu(final NbdUri uri, final String image, final Path tmp) throws Exception {
        for (final JsonNode e : QemuTestData.expected(image + ".qcow2")) {
            final String name = e.get("name").asText();
            final Path raw = tmp.resolve(image + "-" + name + ".raw");
            final NbdDirtyBitmap.Result r = NbdDirtyBitmap.read(uri, name,
                    Granularity.of(e.get("granularity").asLong()), raw, TIMEOUT);
            assertThat(r.diskSize()).as(image + "/" + name).isEqualTo(e.get("size").asLong());
            assertThat(r.digest().sha256()).as(image + "/" + name).isEqualTo(e.get("sha256").asText());
            assertThat(r.digest().count()).as(image + "/" + name).isEqualTo(e.get("count").asLong());
            // the file holds the same bitmap: QEMU's sha256 over its bytes, zero-padded
            assertThat(shaOfPadded(raw, Granularity.of(e.get("granularity").asLong())
                    .bitsFor(r.diskSize()))).as(image + "/" + name + " file").isEqualTo(e.get("sha256").asText());
        }
    }

    @Test
    void listsTheBitmapsAnExportOffers() throws Exception {
        final Path file = QemuTestData.image("img1", tmp);
        try (QemuNbdServer server = QemuNbdServer.start(file, "img1", tmp, "b4k", "bdis")) {
            assertThat(NbdDirtyBitmap.list(NbdUri.parse(server.uri("")), TIMEOUT)).containsExactlyInAnyOrder("b4k", "bdis");
        }
    }

    @Test
    void aGranularityCoarserThanTheBitmapsIsRefusedWithItsBound() throws Exception {
        final Path file = QemuTestData.image("img1", tmp);
        try (QemuNbdServer server = QemuNbdServer.start(file, "img1", tmp, "b4k")) {
            assertThatThrownBy(() -> NbdDirtyBitmap.read(NbdUri.parse(server.uri("")), "b4k", Granularity.of(65536),
                    tmp.resolve("x.raw"), TIMEOUT))
                    .isInstanceOf(NbdException.class)
                    .hasMessageContaining("not a multiple of the granularity 65536")
                    .hasMessageContaining("at most 4096");
        }
    }

    @Test
    void aBitmapTheExportDoesNotOfferIsNamed() throws Exception {
        final Path file = QemuTestData.image("img1", tmp);
        try (QemuNbdServer server = QemuNbdServer.start(file, "img1", tmp, "b4k")) {
            assertThatThrownBy(() -> NbdDirtyBitmap.read(NbdUri.parse(server.uri("")), "b64k", Granularity.of(65536),
                    tmp.resolve("x.raw"), TIMEOUT))
                    .isInstanceOf(NbdException.class).hasMessageContaining("has no dirty bitmap 'b64k'");
            assertThatThrownBy(() -> NbdDirtyBitmap.read(NbdUri.parse(server.uri("").replace("/img1?", "/nope?")),
                    "b4k", Granularity.of(4096), tmp.resolve("x.raw"), TIMEOUT))
                    .isInstanceOf(NbdException.class).hasMessageContaining("no export 'nope'");
        }
    }

    private static String shaOfPadded(final Path raw, final long bitCount) throws Exception {
        final byte[] bytes = Files.readAllBytes(raw);
        long padded = ((bitCount + 63) / 64) * 8;
        if (padded == 0) {
            padded = 8;
        }
        final MessageDigest sha = MessageDigest.getInstance("SHA-256");
        sha.update(bytes);
        sha.update(new byte[(int) (padded - bytes.length)]);
        return HexFormat.of().formatHex(sha.digest());
    }
}
