package org.dbmstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.dbmstream.testkit.QemuTestData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code migrate --switchover --writes} reports the final state only once the destination applied every
 * write it published (issue 25 item 3): QEMU's empty img1 (its bitmaps' count 0, as QEMU reported) and
 * 200,000 writes of 4 KiB spread over the first 12,500 granules of 64 KiB, each written 16 times. The
 * printed {@code Final} lines must hold QEMU's count for that (set bits times granularity) and, for b64k, the
 * sha256 of its layout with exactly those bits set; the BitmapUpdated events are coalesced, far fewer than
 * the writes.
 */
class FinalStateIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int WRITES = 200_000;
    private static final int GRANULES = 12_500;
    private static final long G64K = 65_536;

    @Test
    void theFinalStateHoldsEveryPublishedWrite(@TempDir final Path tmp) throws Exception {
        final Path image = QemuTestData.image("img1-empty", tmp);
        final Path writes = tmp.resolve("writes.txt");
        try (BufferedWriter w = Files.newBufferedWriter(writes)) {
            for (int i = 0; i < WRITES; i++) {
                // 7919 is prime to 12,500: i -> granule visits every granule 16 times, at 4 of its 4 KiB blocks
                final long granule = (long) i * 7919 % GRANULES;
                w.write("disk0 " + (granule * G64K + (i % 16) * 4096L) + " 4096\n");
            }
        }

        final DbmRun run = DbmRun.of("migrate", "--json", "--switchover", "--node", "disk0", "--target", "vm-final",
                "--writes", writes.toString(), "--timeout", "5m", image.toString());

        assertThat(run.exit()).as(run.err()).isZero();
        final List<JsonNode> events = new ArrayList<>();
        for (final String line : run.out().split("\n")) {
            if (line.startsWith("{")) {
                events.add(JSON.readTree(line));
            }
        }
        final List<JsonNode> finals = events.stream().filter(e -> e.get("type").asText().equals("BitmapFinal"))
                .toList();
        assertThat(finals).extracting(f -> f.get("name").asText())
                .containsExactlyInAnyOrder("b64k", "b4k", "b1m", "bdis");
        // QEMU's count: set bits x granularity. b64k: the 12,500 granules written; b4k: 4 distinct 4 KiB
        // blocks in each of them; b1m: granules 0..781 (12,500 x 64 KiB end inside the 782nd MiB); bdis records nothing
        assertThat(count(finals, "b64k")).isEqualTo(819_200_000L);
        assertThat(count(finals, "b4k")).isEqualTo(GRANULES * 4L * 4096);
        assertThat(count(finals, "b1m")).isEqualTo(782L << 20);
        assertThat(count(finals, "bdis")).isZero();
        assertThat(final64k(finals).get("sha256").asText()).isEqualTo(sha256OfFirstBitsSet(GRANULES, 16_384));
        final long updates = events.stream().filter(e -> e.get("type").asText().equals("BitmapUpdated")).count();
        assertThat(updates).as("BitmapUpdated events, coalesced").isLessThan(WRITES / 100);
    }

    private static long count(final List<JsonNode> finals, final String name) {
        return finals.stream().filter(f -> f.get("name").asText().equals(name)).findFirst().orElseThrow()
                .get("count").asLong();
    }

    private static JsonNode final64k(final List<JsonNode> finals) {
        return finals.stream().filter(f -> f.get("name").asText().equals("b64k")).findFirst().orElseThrow();
    }

    /** QEMU's sha256 of a bitmap of {@code bits} bits whose first {@code set} are set (LSB first, whole words). */
    private static String sha256OfFirstBitsSet(final int set, final int bits) throws Exception {
        final byte[] layout = new byte[(bits + 63) / 64 * 8];
        for (int k = 0; k < set; k++) {
            layout[k / 8] |= (byte) (1 << (k % 8));
        }
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(layout));
    }
}
