package org.dbmstream.cli;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.dbmstream.bitmap.mapping.AliasMap;
import org.dbmstream.bitmap.mapping.BlockBitmapMapping;
import org.dbmstream.source.MigrationFingerprint;
import org.dbmstream.source.PublishedBitmap;
import org.dbmstream.source.WritesFile;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/**
 * Checks {@code migrate --writes FILE} against the migration it follows, before anything is published: a
 * write the destination would drop silently is a bad input naming its line. Writes happen on the
 * destination once its VM runs, so the migration must switch over; each write must name a node of the
 * migration as the destination names it (after {@code --destination-mapping}) and stay within its disk.
 */
final class WriteChecks {
    private WriteChecks() {
    }

    static void check(final CommandSpec spec, final Path file, final List<WritesFile.Write> writes,
            final MigrationFingerprint.Content content, final BlockBitmapMapping destinationMapping) {
        if (writes.isEmpty()) {
            return;
        }
        if (!content.switchover()) {
            throw new ParameterException(spec.commandLine(), "--writes " + file + ": the writes are made on the "
                    + "destination once its VM runs, and this migration never switches over: give --switchover, "
                    + "or a QEMU postcopy stream (its RUN command is the switchover)");
        }
        final AliasMap mapping = destinationMapping == null ? null : AliasMap.of(destinationMapping);
        // node as the destination names it -> disk size (-1: unknown, as for QEMU streams)
        final Map<String, Long> nodes = new LinkedHashMap<>();
        for (final PublishedBitmap b : content.bitmaps()) {
            final String node = mapping == null ? b.nodeAlias() : mapping.nodeNameOf(b.nodeAlias()).orElse(null);
            if (node != null) {
                nodes.merge(node, b.diskSize(), Math::max);
            }
        }
        for (final WritesFile.Write w : writes) {
            final String where = "--writes " + file + " line " + w.line() + ": ";
            final Long size = nodes.get(w.node());
            if (size == null) {
                throw new ParameterException(spec.commandLine(), where + "node '" + w.node() + "' is not a node of "
                        + "this migration on the destination (its nodes: " + String.join(", ", nodes.keySet()) + ")");
            }
            if (size >= 0 && w.offset() + w.length() > size) {
                throw new ParameterException(spec.commandLine(), where + "the write of " + w.length()
                        + " bytes at offset " + w.offset() + " reaches past the end of node '" + w.node() + "' ("
                        + size + " bytes)");
            }
        }
    }
}
