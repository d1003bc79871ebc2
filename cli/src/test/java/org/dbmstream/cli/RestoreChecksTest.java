package org.dbmstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.dbmstream.bitmap.BitmapDigest;
import org.dbmstream.bitmap.Granularity;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A restore checks what the query API sends before anything is written: {@code export --replica} and
 * {@code bitmaps raw} against a hostile in-process API ({@link HostileReplica}) whose metadata is QEMU's
 * own for the bitmap. A truncated, too long or altered body, or metadata claiming an absurd disk, is exit 1
 * naming the URL and what was expected; no output file appears.
 */
class RestoreChecksTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private HostileReplica api;
    @TempDir
    Path tmp;

    @BeforeEach
    void start() throws Exception {
        api = new HostileReplica();
    }

    @AfterEach
    void stop() {
        api.close();
    }

    private String rawUrl() {
        return api.url() + "/v1/targets/vm/bitmaps/disk0/b64k/raw";
    }

    private DbmRun export(final Path out) {
        return DbmRun.of("export", "--replica", api.url(), "--target", HostileReplica.TARGET, "--timeout", "10s",
                "-o", out.toString());
    }

    private DbmRun raw(final Path out) {
        return DbmRun.of("bitmaps", "raw", "--url", api.url(), HostileReplica.TARGET, HostileReplica.NODE,
                HostileReplica.NAME, "-o", out.toString());
    }

    @Test
    void aTruncatedBodyWithoutContentLengthIsRefused() throws Exception {
        api.body = HostileReplica.Body.TRUNCATED;
        final Path stream = tmp.resolve("vm.stream");
        final DbmRun run = export(stream);
        assertThat(run.exit()).as(run.err()).isEqualTo(1);
        assertThat(run.err()).contains(rawUrl() + ": truncated body: received 3 of the 2048 bytes the metadata "
                + "implies (disk of 1073741824 bytes at granularity 65536); nothing was written")
                .doesNotContain("wrote");
        final DbmRun rawRun = raw(tmp.resolve("b64k.raw"));
        assertThat(rawRun.exit()).isEqualTo(1);
        assertThat(rawRun.err()).contains("truncated body: received 3 of the 2048 bytes");
        assertThat(Files.list(tmp)).isEmpty();
    }

    @Test
    void aBodyLongerThanTheMetadataSaysIsRefused() throws Exception {
        api.body = HostileReplica.Body.TOO_LONG;
        final DbmRun run = raw(tmp.resolve("b64k.raw"));
        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.err()).contains(rawUrl() + ": body too long: more than the 2048 bytes the metadata implies");
        assertThat(export(tmp.resolve("vm.stream")).err()).contains("body too long");
        assertThat(Files.list(tmp)).isEmpty();
    }

    @Test
    void aBodyWhoseSha256DiffersFromTheMetadataIsRefused() throws Exception {
        api.body = HostileReplica.Body.FLIPPED_BIT;
        final Path existing = Files.writeString(tmp.resolve("b64k.raw"), "the previous restore");
        final DbmRun run = raw(existing);
        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.err()).contains(rawUrl() + ": the body's sha256 ").contains(" differ from the metadata's "
                + "sha256 " + api.metadata.get("sha256").asText() + " and count 1245184; nothing was written");
        assertThat(Files.readString(existing)).isEqualTo("the previous restore");
        assertThat(export(tmp.resolve("vm.stream")).exit()).isEqualTo(1);
        assertThat(Files.list(tmp)).containsExactly(existing);
    }

    @Test
    void aHugeClaimedDiskIsRefusedBeforeAByteIsRead() throws Exception {
        api.body = HostileReplica.Body.ENDLESS;
        api.metadata.put("size", 1L << 62);
        final long started = System.nanoTime();
        final DbmRun run = export(tmp.resolve("vm.stream"));
        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.err()).contains(rawUrl() + ": bitmap 'b64k' claims a disk of 4611686018427387904 bytes at "
                + "granularity 65536: 8796093022208 bytes of raw bitmap, more than the 536870912 (512 MiB, QEMU's "
                + "largest persistent bitmap) dbm accepts; nothing was written");
        assertThat(raw(tmp.resolve("b64k.raw")).err()).contains("claims a disk of 4611686018427387904 bytes");
        assertThat(System.nanoTime() - started).as("nothing streamed").isLessThan(20_000_000_000L);
        assertThat(Files.list(tmp)).isEmpty();
    }

    @Test
    void anHonestBodyIsWrittenWithQemusDigest() throws Exception {
        final Path out = tmp.resolve("b64k.raw");
        final DbmRun run = raw(out);
        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.err()).contains("wrote 2048 bytes (bitmap 'b64k' of node");
        final byte[] got = Files.readAllBytes(out);
        final BitmapDigest.Result digest = new BitmapDigest(Granularity.of(65536)).update(got, 0, got.length).finish();
        assertThat(digest.sha256()).isEqualTo(api.metadata.get("sha256").asText());
        assertThat(digest.count()).isEqualTo(1245184);

        final Path stream = tmp.resolve("vm.stream");
        final DbmRun exported = export(stream);
        assertThat(exported.exit()).as(exported.err()).isZero();
        final DbmRun inspect = DbmRun.of("inspect", "--json", stream.toString());
        final JsonNode b = JSON.readTree(inspect.out().lines().findFirst().orElseThrow());
        assertThat(b.get("sha256").asText()).isEqualTo(api.metadata.get("sha256").asText());
    }
}
