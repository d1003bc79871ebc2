package org.dbmstream.cli;

import java.io.IOException;
import java.nio.file.Path;
import org.dbmstream.bitmap.ReplicaNames;
import org.dbmstream.bitmap.mapping.AliasMap;
import org.dbmstream.source.MigrationRequest;
import org.dbmstream.source.TextFiles;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/** How bitmaps are named on both sides: the node name of a single image and the two block-bitmap-mappings. */
public final class NamingOptions {
    @Option(names = "--node", paramLabel = "NAME",
            description = "Node name of a single qcow2 image (default: the file name without extension).")
    String node;

    @Option(names = "--mapping", paramLabel = "FILE",
            description = "QMP block-bitmap-mapping JSON for the source side (selects and aliases bitmaps).")
    Path mapping;

    @Option(names = "--destination-mapping", paramLabel = "FILE",
            description = "QMP block-bitmap-mapping JSON the destination applies (sent in the migration spec).")
    Path destinationMapping;

    /** The node name given for a single image, or null. */
    public String node() {
        return node;
    }

    /** Refuses a {@code --node} no replica can hold, naming the option (before anything starts). */
    public void checkNames(final CommandSpec spec) {
        if (node != null) {
            ArgumentChecks.name(spec, "--node", ReplicaNames.Kind.NODE, node);
        }
    }

    /** Puts the mappings into {@code b}, read and validated with QEMU's rules; a bad file is a bad argument. */
    public void applyTo(final CommandSpec spec, final MigrationRequest.Builder b) throws IOException {
        if (mapping != null) {
            b.sourceMapping(mappingFile(spec, "--mapping", mapping));
        }
        if (destinationMapping != null) {
            b.destinationMapping(mappingFile(spec, "--destination-mapping", destinationMapping).mapping());
        }
    }

    /** A block-bitmap-mapping file given to {@code option}, validated with QEMU's rules; errors name it. */
    private static AliasMap mappingFile(final CommandSpec spec, final String option, final Path file)
            throws IOException {
        ArgumentChecks.readable(spec, option, file);
        try {
            return AliasMap.fromJson(TextFiles.readUtf8(file));
        } catch (RuntimeException e) {
            throw new ParameterException(spec.commandLine(), option + " " + file + ": "
                    + e.getMessage().replace(file + ": ", ""), e);
        }
    }
}
