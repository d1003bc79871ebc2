package org.dbmstream.serdes;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.dbmstream.bitmap.Granularity;
import org.dbmstream.bitmap.chunk.Chunk;
import org.dbmstream.schemas.BitmapCancelled;
import org.dbmstream.schemas.BitmapCompleted;
import org.dbmstream.schemas.BitmapMapping;
import org.dbmstream.schemas.BitmapStarted;
import org.dbmstream.schemas.BitmapTransform;
import org.dbmstream.schemas.ChunkKey;
import org.dbmstream.schemas.CompletedBitmap;
import org.dbmstream.schemas.DestinationNode;
import org.dbmstream.schemas.DestinationWrite;
import org.dbmstream.schemas.Event;
import org.dbmstream.schemas.MigrationCancelled;
import org.dbmstream.schemas.MigrationCompleted;
import org.dbmstream.schemas.MigrationFailed;
import org.dbmstream.schemas.MigrationSpec;
import org.dbmstream.schemas.NodeMapping;

/** One or more instances of every record type, covering every union branch. */
final class Samples {
    private Samples() {
    }

    static final Instant T = Instant.ofEpochMilli(1_795_000_000_123L);

    /** Type to instances: every chunk kind, both spec shapes, every event body. */
    static Map<Class<? extends SpecificRecord>, List<? extends SpecificRecord>> all() {
        return Map.of(
                ChunkKey.class, List.of(new ChunkKey("mig-1", "drive0", "bitmap0"), new ChunkKey("mig-1", "", "")),
                org.dbmstream.schemas.ChunkValue.class, List.of(
                        ChunkRecords.toAvro(Chunk.Start.of("drive0", "bitmap0", Granularity.of(65536), true, true,
                                10L << 30), 0, "src-a"),
                        ChunkRecords.toAvro(new Chunk.Bits("drive0", "bitmap0", 0, 1L << 20, bytes(32)), 1, "src-a"),
                        ChunkRecords.toAvro(new Chunk.Bits("drive0", "bitmap0", 1L << 20, 1L << 20, null), 2, "src-a"),
                        ChunkRecords.toAvro(new Chunk.Complete("drive0", "bitmap0"), 3, "src-a"),
                        ChunkRecords.toAvro(new Chunk.EndOfStream(List.of(new Chunk.BitmapRef("drive0", "bitmap0"))),
                                4, "src-a")),
                MigrationSpec.class, List.of(
                        new MigrationSpec("mig-1", "vm-7", null, null, T, false),
                        new MigrationSpec("mig-2", "vm-7", List.of(new NodeMapping("disk0", "drive0", List.of(
                                new BitmapMapping("b0", "bitmap0", new BitmapTransform(false)),
                                new BitmapMapping("b1", "bitmap1", null)))),
                                List.of(new DestinationNode("disk0", 10L << 30)), T, false)),
                Event.class, List.of(
                        event(new BitmapStarted(65536L, 10L << 30, true, false)),
                        event(new BitmapCompleted(65536L, 10L << 30, true, false, 1L << 20,
                                "ab".repeat(32), 160L, null, -1L, 1L, 1_700_000_000_000L, 163840L)),
                        event(new BitmapCancelled("Error: Unknown node alias 'drive9'", false)),
                        event(new MigrationCompleted(List.of(new CompletedBitmap("disk0", "drive0", "b0", "bitmap0")))),
                        event(new MigrationCancelled("Error: block device name is not set")),
                        event(new MigrationFailed("Bitmap migration stream buffer allocation request is too big")),
                        event(new org.dbmstream.schemas.WritesApplied("barrier-1", 2, List.of(
                                new org.dbmstream.schemas.BitmapNow("disk0", "drive0", "b0", "bitmap0", 65536L,
                                        10L << 30, true, true, false, 1L << 20, "ab".repeat(32)))))),
                DestinationWrite.class, List.of(new DestinationWrite("vm-7", "disk0", 4096L, 65536L, "mig-1", T, null),
                        new DestinationWrite("vm-7", "disk0", 0L, 512L, null, Instant.EPOCH, null),
                        new DestinationWrite("vm-7", "", 0L, 0L, "mig-1", T, "barrier-1")));
    }

    static Event event(Object body) {
        return new Event("mig-1", "vm-7", "disk0", "drive0", "b0", "bitmap0", T, body);
    }

    static ByteBuffer bytesBuffer(int n) {
        return ByteBuffer.wrap(bytes(n));
    }

    static byte[] bytes(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (i * 37 + 1);
        }
        return b;
    }
}
