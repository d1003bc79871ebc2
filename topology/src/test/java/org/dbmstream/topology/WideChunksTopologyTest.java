package org.dbmstream.topology;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.dbmstream.bitmap.DirtyBitmap;
import org.dbmstream.bitmap.QemuConstants;
import org.dbmstream.bitmap.chunk.Chunk;
import org.dbmstream.bitmap.chunk.ChunkCoalescer;
import org.dbmstream.bitmap.chunk.ChunkSize;
import org.dbmstream.bitmap.chunk.MigrationBitmap;
import org.dbmstream.bitmap.chunk.MigrationSequencer;
import org.dbmstream.schemas.BitmapCompleted;
import org.dbmstream.schemas.Event;
import org.dbmstream.schemas.MigrationFailed;
import org.dbmstream.testkit.QemuTestData;
import org.dbmstream.topology.it.QemuImageBitmaps;
import org.dbmstream.topology.it.QemuStreamChunks;
import org.dbmstream.topology.store.StoredBitmaps;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The destination applies QEMU's load rules to chunks of any width QEMU's loader takes: every shared QEMU
 * image and QEMU's own migration stream, cut (or joined) into chunks of 1, 2, 4 and 8 KiB, load to QEMU's
 * sha256 and count (BitmapCompleted), to QEMU's NBD dirty extents and to raw bytes that hash to QEMU's
 * sha256 (the stored bits, as the query API reads them); a buffer one byte over QEMU's 10 KiB limit fails
 * the migration with QEMU's message, while a 10 KiB chunk loads.
 */
class WideChunksTopologyTest {
    /** The shared images whose bitmaps are all consistent (img-broken's are refused by the source). */
    private static final List<String> IMAGES = List.of("img1", "img1-empty", "img2", "img5", "img5-ones", "dst1",
            "mig-before");
    /**
     * The qcow2-extra images with bitmaps. Not odd1m-tailbits: QEMU's answer for it hashes bits past the
     * disk's end that its sender's bitmap does not hold; not huge (a 256 MiB bitmap, 40 s here).
     */
    private static final List<String> EXTRA = List.of("odd1m", "odd64m", "g2g", "many", "longtable", "names");
    private static final long MIG1_DISK = 64L << 20;

    @TempDir
    Path tmp;

    @ParameterizedTest
    @ValueSource(strings = {"1K", "2K", "4K", "8K"})
    void everySharedImageLoadsToQemusValuesExtentsAndBytes(String size) throws Exception {
        ChunkSize width = ChunkSize.parse(size);
        try (DestinationDriver d = new DestinationDriver()) {
            for (String image : IMAGES) {
                migrate(d, image, QemuImageBitmaps.read(image + ".qcow2", "disk0", tmp), width);
                assertQemusValues(d, image, QemuTestData.expected(image + ".qcow2"));
                Path nbd = QemuTestData.file("expected/" + image + ".nbd.txt");
                if (Files.exists(nbd)) {
                    assertQemusExtents(d, image, nbd);
                }
            }
            for (String image : EXTRA) {
                migrate(d, image, QemuImageBitmaps.read(QemuTestData.extraDir().resolve(image + ".qcow2.gz"), "disk0",
                        tmp), width);
                assertQemusValues(d, image, QemuTestData.jsonl("../qcow2-extra/expected.jsonl", "image",
                        image + ".qcow2"));
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"1K", "2K", "4K", "8K"})
    void qemusStreamJoinedToAnyWidthLoadsToQemusDestinationState(String size) throws Exception {
        List<Chunk> chunks = ChunkCoalescer.join(QemuStreamChunks.read("mig1-min.stream", MIG1_DISK),
                ChunkSize.parse(size));
        try (DestinationDriver d = new DestinationDriver()) {
            d.spec("mig1", "mig1");
            d.chunks("mig1", chunks);
            assertQemusValues(d, "mig1", QemuTestData.jsonl("expected/streams-sha256.jsonl"));
        }
    }

    @Test
    void aBufferOverTenKibFailsWithQemusMessageAndTenKibLoads() throws Exception {
        DirtyBitmap bits = TestChunks.bitmap(80L << 20, 512, 0, 80L << 20);
        try (DestinationDriver d = new DestinationDriver()) {
            // 10 KiB of bitmap per chunk: the widest buffer QEMU's loader takes
            migrate(d, "ten", List.of(TestChunks.sent("disk0", "b0", false, false, bits)), new ChunkSize(10 * 1024));
            assertThat(completed(d, "ten").get("b0").getSha256()).isEqualTo(bits.sha256());

            d.spec("over", "over");
            d.chunk("over", TestChunks.start("disk0", "b0", 512, 80L << 20));
            d.chunk("over", new Chunk.Bits("disk0", "b0", 0, 81928, new byte[QemuConstants.MAX_BUFFER_SIZE + 1]));
            List<Event> events = d.events().stream().filter(e -> e.getMigration().equals("over")).toList();
            assertThat(EventsView.bodies(events, MigrationFailed.class)).extracting(MigrationFailed::getReason)
                    .containsExactly("Bitmap migration stream buffer allocation request is too big");
        }
    }

    private static void migrate(DestinationDriver d, String migration, List<MigrationBitmap> bitmaps,
            ChunkSize width) {
        List<Chunk> chunks = new ArrayList<>();
        MigrationSequencer seq = new MigrationSequencer(bitmaps, width);
        seq.setup(chunks::add);
        seq.complete(chunks::add);
        d.spec(migration, migration);
        d.chunks(migration, chunks);
    }

    private static Map<String, BitmapCompleted> completed(DestinationDriver d, String migration) {
        return d.events().stream().filter(e -> e.getMigration().equals(migration))
                .filter(e -> e.getBody() instanceof BitmapCompleted)
                .collect(Collectors.toMap(Event::getBitmap, e -> (BitmapCompleted) e.getBody()));
    }

    /** BitmapCompleted and the stored bytes against QEMU's sha256 and count, for every consistent bitmap. */
    private static void assertQemusValues(DestinationDriver d, String migration, List<JsonNode> qemu)
            throws Exception {
        Map<String, BitmapCompleted> done = completed(d, migration);
        List<JsonNode> expected = qemu.stream().filter(n -> !n.path("inconsistent").asBoolean(false)).toList();
        assertThat(done.keySet()).as(migration).containsExactlyInAnyOrderElementsOf(
                expected.stream().map(n -> n.get("name").asText()).toList());
        for (JsonNode n : expected) {
            String name = n.get("name").asText();
            BitmapCompleted c = done.get(name);
            assertThat(c.getSha256()).as("%s/%s sha256", migration, name).isEqualTo(n.get("sha256").asText());
            assertThat(c.getCount()).as("%s/%s count", migration, name).isEqualTo(n.get("count").asLong());
            assertThat(storedSha256(d.stored(), migration, name, c)).as("%s/%s stored bytes", migration, name)
                    .isEqualTo(n.get("sha256").asText());
        }
    }

    /** SHA-256 of the stored bits as the raw API serves them: absent ranges zero, padded to whole words. */
    private static String storedSha256(StoredBitmaps stored, String target, String name, BitmapCompleted c)
            throws Exception {
        StoredBitmaps.Stored s = stored.find(target, "disk0", name).orElseThrow();
        long total = DirtyBitmap.serializationSize(0, (c.getSize() + c.getGranularity() - 1) / c.getGranularity());
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        long[] at = {0};
        stored.forEachRange(s.key(), (firstBit, bytes) -> {
            zeros(sha, firstBit / 8 - at[0]);
            int n = (int) Math.min(bytes.length, total - firstBit / 8);
            sha.update(bytes, 0, n);
            at[0] = firstBit / 8 + n;
        });
        zeros(sha, total - at[0]);
        return HexFormat.of().formatHex(sha.digest());
    }

    private static void zeros(MessageDigest sha, long n) {
        byte[] z = new byte[64 * 1024];
        for (long left = n; left > 0; left -= z.length) {
            sha.update(z, 0, (int) Math.min(z.length, left));
        }
    }

    /** The stored bits' dirty byte ranges against QEMU's NBD dirty extents of the same bitmaps. */
    private static void assertQemusExtents(DestinationDriver d, String image, Path nbd) throws Exception {
        StoredBitmaps stored = d.stored();
        for (String line : Files.readAllLines(nbd)) {
            if (line.isBlank()) {
                continue;
            }
            String name = line.substring(0, line.indexOf(" gran="));
            long g = Long.parseLong(line.replaceAll(".* gran=(\\d+) .*", "$1"));
            List<long[]> qemu = new ArrayList<>();
            Matcher m = Pattern.compile("\\[0x([0-9a-f]+),0x([0-9a-f]+)\\)").matcher(line.substring(line.indexOf("dirty=")));
            while (m.find()) {
                qemu.add(new long[] {Long.parseLong(m.group(1), 16), Long.parseLong(m.group(2), 16)});
            }
            StoredBitmaps.Stored s = stored.find(image, "disk0", name).orElseThrow();
            long size = s.state().size();
            List<long[]> ours = new ArrayList<>();
            stored.forEachRange(s.key(), (firstBit, bytes) -> {
                for (int i = 0; i < bytes.length * 8; i++) {
                    if ((bytes[i >>> 3] >>> (i & 7) & 1) != 0) {
                        long start = (firstBit + i) * g;
                        long end = Math.min(size, start + g);
                        if (!ours.isEmpty() && ours.get(ours.size() - 1)[1] == start) {
                            ours.get(ours.size() - 1)[1] = end;
                        } else {
                            ours.add(new long[] {start, end});
                        }
                    }
                }
            });
            assertThat(ours).as("%s/%s extents", image, name).containsExactlyElementsOf(qemu);
        }
    }
}
