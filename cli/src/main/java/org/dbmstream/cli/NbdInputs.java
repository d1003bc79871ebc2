package org.dbmstream.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.dbmstream.bitmap.Granularity;
import org.dbmstream.nbd.NbdDirtyBitmap;
import org.dbmstream.nbd.NbdUri;
import org.dbmstream.source.MigrationInput;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Option;

/**
 * NBD exports among {@code migrate}'s inputs ({@code nbd://HOST:PORT/EXPORT?bitmap=NAME},
 * {@code nbd+unix:///EXPORT?socket=PATH&bitmap=NAME}): each bitmap is read live over NBD into a temporary
 * raw bitmap file, in bounded memory, and migrated from there like {@code --raw}.
 */
final class NbdInputs {
    private static final Logger LOG = LoggerFactory.getLogger(NbdInputs.class);

    @Option(names = "--nbd-granularity", paramLabel = "SIZE",
            description = "Granularity of NBD bitmaps without granularity= in their URI (NBD does not carry it; "
                + "qemu-img info / query-block show it), e.g. 64K.")
    String granularity;

    @Option(names = "--nbd-enabled", description = "NBD bitmaps are sent as enabled (recording), unless their URI "
            + "says enabled=false.")
    boolean enabled;

    @Option(names = "--nbd-persistent", description = "NBD bitmaps are sent as persistent, unless their URI says "
            + "persistent=false.")
    boolean persistent;

    @Option(names = "--nbd-timeout", defaultValue = "PT60S", paramLabel = "DURATION",
            description = "How long to wait for the NBD server on each exchange (ISO-8601, default: ${DEFAULT-VALUE}).")
    Duration timeout = Duration.ofSeconds(60);

    /** Whether a positional argument is an NBD URI rather than a file. */
    static boolean isUri(final Path arg) {
        return NbdUri.looksLikeNbd(arg.toString());
    }

    /**
     * The URI as typed: picocli hands positional arguments over as {@link Path}s, which fold "//" into "/".
     * The folded slashes can only be the ones after the scheme, so they are put back.
     */
    static String uriOf(final Path arg) {
        final String s = arg.toString();
        final int colon = s.indexOf(':');
        final String scheme = s.substring(0, colon + 1);
        final String rest = s.substring(colon + 1).replaceFirst("^/+", "");
        return scheme + (scheme.contains("+unix") ? "///" : "//") + rest;
    }

    /** Reads every bitmap {@code uriText} names (all the export offers when none) into files in {@code temporary}. */
    List<MigrationInput> read(final String uriText, final String nodeOption, final List<Path> temporary)
            throws IOException {
        final NbdUri uri = NbdUri.parse(uriText);
        final String node = uri.option("node", nodeOption != null ? nodeOption : uri.exportName());
        if (node.isEmpty()) {
            throw new IllegalArgumentException(uriText + ": the export has no name; give node=NAME for the bitmaps' node");
        }
        final boolean on = uri.flag("enabled", enabled);
        final boolean pers = uri.flag("persistent", persistent);
        List<String> bitmaps = uri.bitmaps();
        if (bitmaps.isEmpty()) {
            bitmaps = NbdDirtyBitmap.list(uri, timeout);
            if (bitmaps.isEmpty()) {
                throw new IllegalArgumentException(uriText + ": the export offers no dirty bitmap (qemu-nbd -B NAME, "
                        + "block-export-add bitmaps: [NAME])");
            }
        }
        final List<MigrationInput> out = new ArrayList<>();
        for (int i = 0; i < bitmaps.size(); i++) {
            final String name = bitmaps.get(i);
            final String g = uri.granularity(i, granularity);
            if (g == null) {
                throw new IllegalArgumentException(uriText + ": NBD does not carry a bitmap's granularity: give "
                        + "granularity=SIZE in the URI or --nbd-granularity SIZE (qemu-img info or query-block shows it)");
            }
            final Granularity gran = Granularity.of(Sizes.parse(g));
            final Path file = Files.createTempFile("dbm-nbd-", ".bitmap");
            temporary.add(file);
            final NbdDirtyBitmap.Result r = NbdDirtyBitmap.read(uri, name, gran, file, timeout);
            LOG.info("read bitmap '{}' of {} over NBD: disk {} bytes, count {}, sha256 {}", name, uriText,
                    r.diskSize(), r.digest().count(), r.digest().sha256());
            out.add(new MigrationInput.RawBitmapFile(file, node, name, gran, r.diskSize(), on, pers));
        }
        return out;
    }
}
