package org.dbmstream.source;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import org.dbmstream.bitmap.chunk.Chunk;

/**
 * The content of a migration as one SHA-256: its target, destination mapping and nodes, and every chunk
 * it sends (names, geometry, flags, bits). A migration id is an identity: the fingerprint travels with
 * the migration spec (record header {@value #HEADER}) so that a later publication under the same id can
 * tell a retry (same fingerprint) from different content (refused). Computing it reads the inputs once
 * more than publishing does; selection errors and empty selections surface here, before anything starts.
 */
public final class MigrationFingerprint {
    /** Header of the spec record on the {@code migrations} topic that carries the fingerprint. */
    public static final String HEADER = org.dbmstream.serdes.SpecHeaders.FINGERPRINT;

    private MigrationFingerprint() {
    }

    /**
     * What a request publishes, known before publishing: its fingerprint, its bitmaps and whether it
     * switches over (its destination VM starts: QEMU's RUN command or {@code --switchover}).
     */
    public record Content(String fingerprint, List<PublishedBitmap> bitmaps, boolean switchover) {
    }

    /** Plans {@code request} (QEMU's selection errors surface here) and digests everything it would send. */
    public static Content of(MigrationRequest request) throws IOException {
        try (MigrationPlan plan = MigrationPlanner.plan(request, 0)) {
            MessageDigest md = sha256();
            text(md, "dbm-migration-v1");
            text(md, plan.target());
            text(md, String.valueOf(plan.spec().getMapping()));
            text(md, String.valueOf(plan.spec().getNodes()));
            ChunkSource chunks = plan.chunks();
            boolean switchover = false;
            while (chunks.hasNext()) {
                Chunk c = chunks.next().chunk();
                switchover |= c instanceof Chunk.Switchover;
                chunk(md, c);
            }
            return new Content("sha256:" + HexFormat.of().formatHex(md.digest()), plan.bitmaps(), switchover);
        }
    }

    private static void chunk(MessageDigest md, Chunk chunk) {
        if (chunk instanceof Chunk.Start s) {
            text(md, "S");
            text(md, s.nodeAlias());
            text(md, s.bitmapAlias());
            number(md, s.granularity().bytes());
            number(md, s.flags());
            number(md, s.diskSize());
        } else if (chunk instanceof Chunk.Bits b) {
            text(md, "B");
            text(md, b.nodeAlias());
            text(md, b.bitmapAlias());
            number(md, b.firstSector());
            number(md, b.sectors());
            byte[] payload = b.payload();
            number(md, payload == null ? -1 : payload.length);
            if (payload != null) {
                md.update(payload);
            }
        } else if (chunk instanceof Chunk.Complete c) {
            text(md, "C");
            text(md, c.nodeAlias());
            text(md, c.bitmapAlias());
        } else if (chunk instanceof Chunk.Switchover) {
            text(md, "W");
        } else {
            text(md, "E");
            for (Chunk.BitmapRef ref : ((Chunk.EndOfStream) chunk).manifest()) {
                text(md, ref.nodeAlias());
                text(md, ref.bitmapAlias());
            }
        }
    }

    private static void text(MessageDigest md, String s) {
        byte[] bytes = (s == null ? "" : s).getBytes(StandardCharsets.UTF_8);
        number(md, bytes.length);
        md.update(bytes);
    }

    private static void number(MessageDigest md, long v) {
        md.update(ByteBuffer.allocate(Long.BYTES).putLong(v).array());
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }
}
