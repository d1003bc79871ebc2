package org.dbmstream.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.dbmstream.source.MigrationInput;
import org.dbmstream.source.TemporaryFiles;

/**
 * The qcow2 images, QEMU streams and NBD exports a command reads ({@code migrate}, {@code sync}, {@code export}):
 * gzip-compressed qcow2 images are unpacked to temporary files first, NBD bitmaps read into temporary raw
 * files; {@link #close} deletes them.
 */
public final class SourceInputs implements AutoCloseable {
    private final List<MigrationInput> inputs = new ArrayList<>();
    private final List<Path> temporary = new ArrayList<>();
    private NbdInputs nbd = new NbdInputs();

    static SourceInputs of(final List<Path> files, final String node) throws IOException {
        return of(files, node, new NbdInputs());
    }

    /** Reads {@code files} ({@code node}: the node name of a single image); NBD URIs through {@code nbd}. */
    public static SourceInputs of(final List<Path> files, final String node, final NbdInputs nbd) throws IOException {
        final SourceInputs in = new SourceInputs();
        in.nbd = nbd;
        Path current = null;
        try {
            for (final Path f : files) {
                current = f;
                in.add(f, files.size() == 1 ? node : null);
            }
        } catch (IOException e) {
            in.close();
            // an NBD URI as the user wrote it (a Path folds its "//")
            final String what = current != null && NbdInputs.isUri(current) ? NbdInputs.uriOf(current)
                    : String.valueOf(current);
            throw new BadInputException(what + ": " + InspectCommand.oneLine(e), e);
        } catch (RuntimeException e) {
            in.close();
            throw e;
        }
        if (node != null && files.size() != 1) {
            in.close();
            throw new IllegalArgumentException(
                    "--node names the node of a single image; give one image or use --mapping");
        }
        return in;
    }

    private void add(final Path file, final String node) throws IOException {
        if (NbdInputs.isUri(file)) {
            inputs.addAll(nbd.read(NbdInputs.uriOf(file), node, temporary));
            return;
        }
        if (BitmapFiles.kindOf(file) == BitmapFiles.Kind.STREAM) {
            inputs.add(new MigrationInput.MigrationStreamFile(file));
            return;
        }
        final String name = node != null ? node : nodeNameOf(file);
        if (BitmapFiles.isGzip(file)) {
            final Path tmp = BitmapFiles.gunzipToTemp(file);
            temporary.add(tmp);
            inputs.add(new MigrationInput.Qcow2Image(tmp, name));
        } else {
            inputs.add(new MigrationInput.Qcow2Image(file, name));
        }
    }

    /** "img1.qcow2.gz" -> "img1": what QEMU users would call the node of that image. */
    static String nodeNameOf(final Path file) {
        String n = file.getFileName().toString();
        for (final String ext : new String[] {".gz", ".qcow2", ".img"}) {
            if (n.endsWith(ext) && n.length() > ext.length()) {
                n = n.substring(0, n.length() - ext.length());
            }
        }
        return n;
    }

    /** The inputs, in the order given. */
    public List<MigrationInput> inputs() {
        return inputs;
    }

    @Override
    public void close() throws IOException {
        for (final Path p : temporary) {
            TemporaryFiles.delete(p);
        }
    }

    /** An input file that cannot be migrated (missing, a directory, empty, not a qcow2 image or stream). */
    public static final class BadInputException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public BadInputException(final String message, final Throwable cause) {
            super(message, cause);
        }
    }
}
