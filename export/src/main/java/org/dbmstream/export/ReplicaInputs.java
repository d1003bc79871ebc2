package org.dbmstream.export;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.dbmstream.bitmap.Granularity;
import org.dbmstream.source.ByteSize;
import org.dbmstream.source.MigrationInput;
import org.dbmstream.source.RawBitmapBits;
import org.dbmstream.source.TemporaryFiles;

/**
 * A replica's bitmaps as migration inputs: the chosen complete bitmaps of a target (one node, or named
 * bitmaps, or all) are downloaded raw to temporary files and read from there, never held whole in memory.
 */
public final class ReplicaInputs implements AutoCloseable {
    private final List<MigrationInput> inputs = new ArrayList<>();
    private final List<RawBitmapBits> opened = new ArrayList<>();
    private final List<Path> files = new ArrayList<>();

    private ReplicaInputs() {
    }

    /**
     * The complete bitmaps of {@code target} on {@code node} (null: every node) named in {@code names}
     * (empty: all). A named bitmap that is missing or still loading is an error.
     */
    public static ReplicaInputs fetch(final ReplicaClient client, final String target, final String node,
            final List<String> names) throws IOException {
        return fetch(client, target, node, names, line -> { });
    }

    /** As {@link #fetch(ReplicaClient, String, String, List)}, telling {@code progress} of each bitmap fetched. */
    public static ReplicaInputs fetch(final ReplicaClient client, final String target, final String node,
            final List<String> names, final Consumer<String> progress) throws IOException {
        final ReplicaInputs in = new ReplicaInputs();
        try {
            final List<ReplicaBitmap> all = client.bitmaps(target);
            for (final String name : names) {
                final ReplicaBitmap b = all.stream().filter(x -> x.name().equals(name)
                        && (node == null || x.node().equals(node))).findFirst()
                        .orElseThrow(() -> new IOException("Dirty bitmap '" + name + "' not found on target '"
                                + target + "'" + (node != null ? " node '" + node + "'" : "")));
                if (!b.complete()) {
                    throw new IOException("bitmap '" + name + "' of target '" + target + "' is still loading");
                }
            }
            final List<ReplicaBitmap> chosen = all.stream().filter(b -> b.complete()
                    && (node == null || b.node().equals(node)) && (names.isEmpty() || names.contains(b.name())))
                    .toList();
            for (final ReplicaBitmap b : chosen) {
                in.add(client, b);
                progress.accept("fetched " + b.node() + "/" + b.name() + " from the replica: "
                        + ByteSize.of(Files.size(in.files.get(in.files.size() - 1))) + " of bitmap ("
                        + in.files.size() + " of " + chosen.size() + ")");
            }
            return in;
        } catch (IOException | RuntimeException e) {
            in.close();
            throw e;
        }
    }

    private void add(final ReplicaClient client, final ReplicaBitmap b) throws IOException {
        final Path file = TemporaryFiles.create("dbm-export-", ".bitmap");
        files.add(file);
        // checked against its metadata before it becomes a stream QEMU loads
        final ReplicaBitmap received = client.raw(b, file);
        final RawBitmapBits bits = RawBitmapBits.open(file, received.size(), Granularity.of(received.granularity()));
        opened.add(bits);
        inputs.add(new MigrationInput.InMemoryBitmap(received.node(), received.name(), bits, received.enabled(),
                received.persistent()));
    }

    public List<MigrationInput> inputs() {
        return List.copyOf(inputs);
    }

    @Override
    public void close() throws IOException {
        for (final RawBitmapBits b : opened) {
            b.close();
        }
        for (final Path f : files) {
            TemporaryFiles.delete(f);
        }
    }
}
