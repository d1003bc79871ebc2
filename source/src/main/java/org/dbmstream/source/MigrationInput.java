package org.dbmstream.source;

import java.nio.file.Path;
import java.util.Objects;
import org.dbmstream.bitmap.Granularity;
import org.dbmstream.bitmap.SerializedBitmap;

/** Where a migration's bitmaps come from. */
public sealed interface MigrationInput {

    /** Name used in messages. */
    String describe();

    /**
     * The persistent bitmaps of a qcow2 image. The node is named {@code nodeName}, or after the file
     * name without its extension when that is null.
     */
    record Qcow2Image(Path file, String nodeName) implements MigrationInput {
        public Qcow2Image {
            Objects.requireNonNull(file, "file");
        }

        public Qcow2Image(Path file) {
            this(file, null);
        }

        /** The node name: given, or the file name without its last extension (".gz" images are not read). */
        public String node() {
            if (nodeName != null) {
                return nodeName;
            }
            String name = file.getFileName().toString();
            int dot = name.lastIndexOf('.');
            return dot > 0 ? name.substring(0, dot) : name;
        }

        @Override
        public String describe() {
            return "qcow2 image " + file;
        }
    }

    /**
     * A QEMU migration stream (as written by {@code migrate "exec:cat > FILE"}): its dirty-bitmap chunks
     * are re-published as they are, names resolved. A stream is a whole migration on its own. QEMU's stream
     * carries no disk size; {@code diskSize} (bytes, -1 when unknown) is added to its START chunks.
     */
    record MigrationStreamFile(Path file, long diskSize) implements MigrationInput {
        public MigrationStreamFile {
            Objects.requireNonNull(file, "file");
        }

        public MigrationStreamFile(Path file) {
            this(file, -1);
        }

        @Override
        public String describe() {
            return "QEMU migration stream " + file;
        }
    }

    /** A raw bitmap file: QEMU's serialized form (bit k is bit k%8 of byte k/8), of a disk of {@code diskSize}. */
    record RawBitmapFile(Path file, String nodeName, String bitmapName, Granularity granularity, long diskSize,
            boolean enabled, boolean persistent) implements MigrationInput {
        public RawBitmapFile {
            Objects.requireNonNull(file, "file");
            Objects.requireNonNull(nodeName, "nodeName");
            Objects.requireNonNull(bitmapName, "bitmapName");
            Objects.requireNonNull(granularity, "granularity");
            if (diskSize < 0) {
                throw new IllegalArgumentException("disk size must not be negative: " + diskSize);
            }
        }

        @Override
        public String describe() {
            return "raw bitmap " + file;
        }
    }

    /** A bitmap already in memory (or any {@link SerializedBitmap}), e.g. for benchmarks. */
    record InMemoryBitmap(String nodeName, String bitmapName, SerializedBitmap bits, boolean enabled,
            boolean persistent) implements MigrationInput {
        public InMemoryBitmap {
            Objects.requireNonNull(nodeName, "nodeName");
            Objects.requireNonNull(bitmapName, "bitmapName");
            Objects.requireNonNull(bits, "bits");
        }

        @Override
        public String describe() {
            return "bitmap '" + bitmapName + "' of node '" + nodeName + "'";
        }
    }
}
