package org.dbmstream.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.dbmstream.export.QemuImageStore;
import org.dbmstream.source.PublishedBitmap;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/**
 * {@code dbm export --into-qcow2 IMAGE}: everything that can refuse is checked before the stream is written or
 * QEMU starts (one node, persistent bitmaps, one disk size, QEMU installed, the image's format, size and the
 * bitmaps it holds already); then a QEMU loads the stream into the image and stores the persistent bitmaps there,
 * and one line per bitmap says what QEMU loaded (its count and sha256) and whether the image holds it now.
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

    /**
     * Checks the bitmaps {@code selected} for the image before anything is written: more than one node is a bad
     * argument (exit 2: choose one), everything else an error of the image or of QEMU (exit 1).
     */
    void check(final CommandSpec spec, final List<PublishedBitmap> selected) throws IOException, InterruptedException {
        final List<String> nodes = selected.stream().map(PublishedBitmap::nodeAlias).distinct().toList();
        oneNode(spec, nodes);
        if (selected.stream().noneMatch(PublishedBitmap::persistent)) {
            throw new IllegalArgumentException("none of the " + selected.size() + " bitmap(s) is persistent, and QEMU "
                    + "stores only persistent bitmaps in an image (a stream written with -o FILE still loads into a "
                    + "running QEMU with migrate-incoming); nothing was written");
        }
        final List<Long> sizes = selected.stream().map(PublishedBitmap::diskSize).distinct().toList();
        if (sizes.size() != 1) {
            throw new IllegalArgumentException("the bitmaps of node '" + nodes.get(0) + "' are of disks of different "
                    + "sizes " + sizes + "; one image has one size");
        }
        store.check();
        store.checkFits(nodes.get(0), selected.stream().map(PublishedBitmap::bitmapAlias).toList(), sizes.get(0));
    }

    /** The bitmaps of one node only go into one image: more nodes (or none) is a bad argument (exit 2). */
    static void oneNode(final CommandSpec spec, final List<String> nodes) {
        if (nodes.size() != 1) {
            throw new ParameterException(spec.commandLine(), "--into-qcow2 stores the bitmaps of one node into one "
                    + "image, but the export selects " + (nodes.isEmpty() ? "no bitmap" : "the nodes "
                    + String.join(", ", nodes)) + ": choose one with --node (replica) or --mapping; nothing was "
                    + "written");
        }
    }

    /** Stores the {@code written} bitmaps of {@code stream} (checked by {@link #check}) into the image. */
    int store(final Path stream, final List<PublishedBitmap> written) throws IOException, InterruptedException {
        final String node = written.get(0).nodeAlias();
        final List<QemuImageStore.Loaded> loaded = store.store(stream, node,
                written.stream().map(PublishedBitmap::bitmapAlias).toList(), written.get(0).diskSize());
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
