package org.dbmstream.source;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.dbmstream.bitmap.Granularity;
import org.dbmstream.nbd.NbdDirtyBitmap;
import org.dbmstream.nbd.NbdTls;
import org.dbmstream.nbd.NbdUri;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live bitmaps of one NBD export ({@code nbd://...?bitmap=NAME}, see {@link NbdUri}) read at one
 * moment into temporary raw bitmap files, as migration inputs; {@link #close} deletes the files. The
 * fingerprint identifies the content read, so a migration of the same content can be resumed.
 */
public final class NbdSnapshot implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(NbdSnapshot.class);

    /** What the URI may leave out: NBD carries no granularity and no flags; TLS credentials for nbds:// URIs. */
    public record Defaults(String node, String granularity, boolean enabled, boolean persistent, Duration timeout,
            NbdTls tls) {
        /** Without TLS settings (nbds:// URIs then trust the JVM's default CAs and name their own credentials). */
        public Defaults(final String node, final String granularity, final boolean enabled, final boolean persistent,
                final Duration timeout) {
            this(node, granularity, enabled, persistent, timeout, NbdTls.DEFAULTS);
        }
    }

    private final List<MigrationInput> inputs = new ArrayList<>();
    private final List<Path> files = new ArrayList<>();
    private final MessageDigest content;
    private String node;

    private NbdSnapshot() {
        try {
            content = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }

    /** Reads every bitmap {@code uriText} names (all the export offers when it names none). */
    public static NbdSnapshot read(final String uriText, final Defaults defaults) throws IOException {
        final NbdSnapshot s = new NbdSnapshot();
        try {
            s.readAll(NbdUri.parse(uriText).withTlsDefaults(defaults.tls()), defaults);
            return s;
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    private void readAll(final NbdUri uri, final Defaults d) throws IOException {
        node = uri.option("node", d.node() != null ? d.node() : uri.exportName());
        if (node.isEmpty()) {
            throw new IllegalArgumentException(uri + ": the export has no name; give node=NAME for the bitmaps' node");
        }
        final boolean enabled = uri.flag("enabled", d.enabled());
        final boolean persistent = uri.flag("persistent", d.persistent());
        List<String> bitmaps = uri.bitmaps();
        if (bitmaps.isEmpty()) {
            bitmaps = NbdDirtyBitmap.list(uri, d.timeout());
            if (bitmaps.isEmpty()) {
                throw new IllegalArgumentException(uri + ": the export offers no dirty bitmap (qemu-nbd -B NAME, "
                        + "block-export-add bitmaps: [NAME])");
            }
        }
        for (int i = 0; i < bitmaps.size(); i++) {
            final String name = bitmaps.get(i);
            final String g = uri.granularity(i, d.granularity());
            if (g == null) {
                throw new IllegalArgumentException(uri + ": NBD does not carry a bitmap's granularity: give "
                        + "granularity=SIZE in the URI or --nbd-granularity SIZE (qemu-img info or query-block shows it)");
            }
            final Granularity granularity = Granularity.parse(g);
            final Path file = TemporaryFiles.create("dbm-nbd-", ".bitmap");
            files.add(file);
            final NbdDirtyBitmap.Result r = NbdDirtyBitmap.read(uri, name, granularity, file, d.timeout());
            LOG.info("read bitmap '{}' of {} over NBD: disk {} bytes, count {}, sha256 {}", name, uri, r.diskSize(),
                    r.digest().count(), r.digest().sha256());
            content.update((name + "\n" + granularity + "\n" + r.diskSize() + "\n" + enabled + persistent + "\n"
                    + r.digest().sha256() + "\n").getBytes(StandardCharsets.UTF_8));
            inputs.add(new MigrationInput.RawBitmapFile(file, node, name, granularity, r.diskSize(), enabled, persistent));
        }
    }

    /** The bitmaps read, as raw bitmap inputs. */
    public List<MigrationInput> inputs() {
        return List.copyOf(inputs);
    }

    /** The node name the bitmaps go under. */
    public String node() {
        return node;
    }

    /** 12 hex digits identifying names, geometry, flags and bits of everything read. */
    public String fingerprint() {
        try {
            return HexFormat.of().formatHex(((MessageDigest) content.clone()).digest(), 0, 6);
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Moves the temporary files to the caller, which deletes them (they stay after {@link #close}). */
    public List<Path> detachFiles() {
        final List<Path> out = List.copyOf(files);
        files.clear();
        return out;
    }

    @Override
    public void close() throws IOException {
        for (final Path f : files) {
            TemporaryFiles.delete(f);
        }
        files.clear();
    }
}
