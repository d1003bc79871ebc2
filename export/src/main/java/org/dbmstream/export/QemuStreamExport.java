package org.dbmstream.export;

import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import org.dbmstream.codec.savevm.SavevmWriter;
import org.dbmstream.source.MigrationPlan;
import org.dbmstream.source.MigrationPlanner;
import org.dbmstream.source.MigrationRequest;
import org.dbmstream.source.PublishedBitmap;
import org.dbmstream.source.SequencedChunk;

/**
 * Writes the bitmaps of a migration request (a replica's bitmaps, qcow2 images, a stream; with QEMU's
 * selection rules and a block-bitmap-mapping applied, as {@code dbm migrate} would send them) as a QEMU
 * migration stream: the chunks a migration would publish, in the savevm container instead of Kafka.
 */
public final class QemuStreamExport {
    private QemuStreamExport() {
    }

    /** Writes the stream to {@code out} for a destination of machine type {@code machine}; returns the bitmaps. */
    public static List<PublishedBitmap> write(final MigrationRequest request, final OutputStream out,
            final String machine) throws IOException {
        try (MigrationPlan plan = MigrationPlanner.plan(request)) {
            final SavevmWriter writer = new SavevmWriter(out, machine);
            while (plan.chunks().hasNext()) {
                final SequencedChunk c = plan.chunks().next();
                writer.chunk(c.chunk());
            }
            writer.finish();
            return plan.bitmaps();
        }
    }
}
