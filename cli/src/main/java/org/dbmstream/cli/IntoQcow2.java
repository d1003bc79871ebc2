package org.dbmstream.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.dbmstream.export.QemuImageStore;
import org.dbmstream.source.PublishedBitmap;

/**
 * {@code dbm export --into-qcow2 IMAGE}: after the stream is written, a QEMU loads it into the image and stores
 * the persistent bitmaps there; one line per bitmap says what QEMU loaded (its count and sha256) and whether the
 * image holds it now.
 */
final class IntoQcow2 {
    private final Path image;
    private final PrintWriter err;
    private final QemuImageStore store;

    IntoQcow2(final Path image, final String machine, final Duration timeout, final PrintWriter err) {
        this.image = image;
        this.err = err;
        this.store = new QemuImageStore(image, machine, timeout, line -> {
            err.println(line);
            err.flush();
        });
    }

    /** QEMU installed, the image there and free: before the stream is written. */
    void check() throws IOException, InterruptedException {
        store.check();
    }

    /** Stores the {@code written} bitmaps of {@code stream} into the image; the exit code. */
    int store(final Path stream, final List<PublishedBitmap> written) throws IOException, InterruptedException {
        final List<String> nodes = written.stream().map(PublishedBitmap::nodeAlias).distinct().toList();
        if (nodes.size() != 1) {
            throw new IllegalArgumentException("--into-qcow2 stores the bitmaps of one node into one image, but the "
                    + "stream has " + (nodes.isEmpty() ? "no bitmap" : "nodes " + String.join(", ", nodes))
                    + ": choose one with --node (replica) or --mapping");
        }
        if (written.stream().noneMatch(PublishedBitmap::persistent)) {
            throw new IllegalArgumentException("none of the " + written.size() + " bitmap(s) is persistent, and QEMU "
                    + "stores only persistent bitmaps in an image (the stream " + stream + " still loads into a running "
                    + "QEMU with migrate-incoming)");
        }
        final String node = nodes.get(0);
        final List<Long> sizes = written.stream().map(PublishedBitmap::diskSize).distinct().toList();
        if (sizes.size() != 1) {
            throw new IllegalArgumentException("the bitmaps of node '" + node + "' are of disks of different sizes "
                    + sizes + "; one image has one size");
        }
        final List<QemuImageStore.Loaded> loaded = store.store(stream, node,
                written.stream().map(PublishedBitmap::bitmapAlias).toList(), sizes.get(0));
        int stored = 0;
        for (final QemuImageStore.Loaded b : loaded) {
            if (b.stored()) {
                stored++;
                err.printf("stored %s/%s in %s: granularity %d, count %d, sha256 %s (QEMU's), %s%n", node, b.name(),
                        image, b.granularity(), b.count(), b.sha256(), b.recording() ? "enabled" : "disabled");
            } else {
                err.printf("not stored %s/%s: not persistent (QEMU keeps such bitmaps in memory only); count %d, "
                        + "sha256 %s%n", node, b.name(), b.count(), b.sha256());
            }
        }
        err.printf("stored %d persistent bitmap(s) in %s (qemu-img info lists them)%n", stored, image);
        err.flush();
        return 0;
    }
}
