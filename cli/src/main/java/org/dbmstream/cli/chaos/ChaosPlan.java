package org.dbmstream.cli.chaos;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.dbmstream.bitmap.DirtyBitmap;
import org.dbmstream.bitmap.Granularity;
import org.dbmstream.bitmap.mapping.AliasMap;
import org.dbmstream.bitmap.mapping.BlockBitmapMapping;
import org.dbmstream.source.MigrationInput;
import org.dbmstream.source.MigrationRequest;

/**
 * Makes the migrations of a chaos run from a seed: 1-3 random bitmaps each, of mixed sizes (64 MiB at
 * 64 KiB granularity up to 4 GiB at 4 KiB), written as raw bitmap files; about a quarter with source and
 * destination mappings that rename node and bitmaps, about a tenth cancelled on purpose (the destination
 * mapping does not know the node alias: QEMU's "Unknown node alias"). With {@code small}, every bitmap is
 * of the smallest kind (one chunk), for runs of many migrations. {@link #dense} adds migrations whose bitmaps
 * are random bits throughout, to give the destinations' stores a size worth restoring.
 */
final class ChaosPlan {
    private static final long MIB = 1L << 20;
    /** Bitmap bytes of one dense bitmap: a 1 TiB disk at 4 KiB granularity. */
    static final int DENSE_BITMAP_MIB = 32;
    private final Random random;
    private final Path dir;
    private final boolean small;

    ChaosPlan(long seed, Path dir) {
        this(seed, dir, false);
    }

    ChaosPlan(long seed, Path dir, boolean small) {
        this.random = new Random(seed);
        this.dir = dir;
        this.small = small;
    }

    /**
     * Migrations of one dense bitmap each ({@value #DENSE_BITMAP_MIB} MiB of random bits), about {@code mib}
     * MiB of bitmap together (at least one when {@code mib > 0}).
     */
    List<PlannedMigration> dense(int mib) throws IOException {
        List<PlannedMigration> out = new ArrayList<>();
        for (int i = 0; i * DENSE_BITMAP_MIB < mib; i++) {
            String id = "chaos-dense-" + i;
            long bytes = DENSE_BITMAP_MIB * MIB;
            DirtyBitmap bits = new DirtyBitmap(bytes * 8 * 4096, Granularity.of(4096));
            byte[] random = new byte[(int) bytes];
            this.random.nextBytes(random);
            bits.deserialize(0, bits.bitCount(), random);
            Path file = write(id, 0, bits);
            MigrationRequest request = MigrationRequest.builder().migrationId(id).target("vm-dense-" + i)
                    .input(new MigrationInput.RawBitmapFile(file, "vda", "dense", bits.granularity(), bits.diskSize(),
                            false, true)).build();
            out.add(new PlannedMigration(request, PlannedMigration.Outcome.COMPLETED,
                    List.of(new PlannedMigration.Bitmap("vda", "dense", bits.sha256(), bits.count()))));
        }
        return out;
    }

    List<PlannedMigration> migrations(int n) throws IOException {
        List<PlannedMigration> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(migration("chaos-" + i, "vm-" + i, 1 + random.nextInt(3), random.nextInt(10)));
        }
        return out;
    }

    /** A migration whose publisher will be killed mid-way: one large bitmap, so publishing takes a while. */
    PlannedMigration large(String id) throws IOException {
        DirtyBitmap bits = bitmap(16384 * MIB, 4096);
        Path file = write(id, 0, bits);
        MigrationRequest request = MigrationRequest.builder().migrationId(id).target("vm-" + id)
                .input(new MigrationInput.RawBitmapFile(file, "vda", "big", bits.granularity(), bits.diskSize(),
                        true, true)).build();
        return new PlannedMigration(request, PlannedMigration.Outcome.COMPLETED_OR_FAILED,
                List.of(new PlannedMigration.Bitmap("vda", "big", bits.sha256(), bits.count())));
    }

    private PlannedMigration migration(String id, String target, int bitmaps, int kind) throws IOException {
        boolean mapped = kind < 3;
        boolean cancelled = kind == 9;
        MigrationRequest.Builder b = MigrationRequest.builder().migrationId(id).target(target);
        List<PlannedMigration.Bitmap> expected = new ArrayList<>();
        StringBuilder source = new StringBuilder();
        StringBuilder destination = new StringBuilder();
        for (int j = 0; j < bitmaps; j++) {
            DirtyBitmap bits = randomBitmap();
            Path file = write(id, j, bits);
            b.input(new MigrationInput.RawBitmapFile(file, "vda", "b" + j, bits.granularity(), bits.diskSize(),
                    random.nextBoolean(), random.nextBoolean()));
            String sep = j == 0 ? "" : ", ";
            source.append(sep).append("{\"name\": \"b").append(j).append("\", \"alias\": \"a").append(j).append("\"}");
            destination.append(sep).append("{\"name\": \"copy ").append(j).append("\", \"alias\": \"a").append(j)
                    .append("\"}");
            expected.add(mapped ? new PlannedMigration.Bitmap("vdb", "copy " + j, bits.sha256(), bits.count())
                    : new PlannedMigration.Bitmap("vda", "b" + j, bits.sha256(), bits.count()));
        }
        if (mapped || cancelled) {
            b.sourceMapping(AliasMap.fromJson("[{\"node-name\": \"vda\", \"alias\": \"n0\", \"bitmaps\": [" + source
                    + "]}]"));
            String nodeAlias = cancelled ? "elsewhere" : "n0";
            b.destinationMapping(BlockBitmapMapping.fromJson("[{\"node-name\": \"vdb\", \"alias\": \"" + nodeAlias
                    + "\", \"bitmaps\": [" + destination + "]}]"));
        }
        return new PlannedMigration(b.build(), cancelled ? PlannedMigration.Outcome.CANCELLED
                : PlannedMigration.Outcome.COMPLETED, expected);
    }

    private DirtyBitmap randomBitmap() {
        int size = small ? 0 : random.nextInt(10);
        if (size < 5) {
            return bitmap(64 * MIB, 65536);
        }
        if (size < 9) {
            return bitmap(1024 * MIB, 65536);
        }
        return bitmap(4096 * MIB, 4096);
    }

    private DirtyBitmap bitmap(long diskSize, long granularity) {
        DirtyBitmap bits = new DirtyBitmap(diskSize, Granularity.of(granularity));
        int extents = random.nextInt(12);
        for (int e = 0; e < extents; e++) {
            long start = (long) (random.nextDouble() * diskSize);
            long length = 1 + (long) (random.nextDouble() * Math.min(diskSize - start, diskSize / 8));
            bits.markDirty(start, Math.min(length, diskSize - start));
        }
        return bits;
    }

    private Path write(String id, int j, DirtyBitmap bits) throws IOException {
        Path file = dir.resolve(id + "-" + j + ".bitmap");
        Files.write(file, Arrays.copyOf(bits.toBytes(), (int) ((bits.bitCount() + 7) / 8)));
        return file;
    }
}
