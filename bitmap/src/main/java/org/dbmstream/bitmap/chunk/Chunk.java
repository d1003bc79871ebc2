package org.dbmstream.bitmap.chunk;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.dbmstream.bitmap.Granularity;

/**
 * One dirty-bitmap migration chunk with its names resolved (QEMU omits names that repeat the previous
 * chunk's; the wire codec fills them in). The four kinds are QEMU's: START, BITS (or ZEROES),
 * COMPLETE, EOS.
 */
public sealed interface Chunk permits Chunk.Start, Chunk.Bits, Chunk.Complete, Chunk.EndOfStream, Chunk.Switchover {

    /** START bitmap-flag bits, as on the wire. */
    int FLAG_ENABLED = 0x01;
    int FLAG_PERSISTENT = 0x02;
    /** Old autoload bit: ignored, but kept so a re-encoded chunk is byte-identical. */
    int FLAG_AUTOLOAD = 0x04;
    int FLAG_RESERVED_MASK = 0xf8;

    /**
     * Our START flag (QEMU reserves it): the START carries a {@link Version}. A destination that predates
     * versions refuses such a START with QEMU's "Unknown flags" rather than loading a delta as a whole bitmap.
     */
    int FLAG_VERSIONED = 0x80;

    /**
     * Creates a bitmap on the destination. {@code diskSize} is our extension, -1 when unknown;
     * {@code readTime} (ours) when the source read the bits it sends, 0 when unknown; {@code version} (ours)
     * null for QEMU's plain START, else a delta, a checked whole bitmap or a removal (DESIGN.md section 12),
     * and then the flags carry {@link #FLAG_VERSIONED}.
     */
    record Start(String nodeAlias, String bitmapAlias, Granularity granularity, int flags, long diskSize,
            long readTime, Version version) implements Chunk {
        public Start {
            Objects.requireNonNull(nodeAlias, "nodeAlias");
            Objects.requireNonNull(bitmapAlias, "bitmapAlias");
            Objects.requireNonNull(granularity, "granularity");
            if (flags < 0 || flags > 0xff) {
                throw new IllegalArgumentException("bitmap flags are one byte: " + flags);
            }
        }

        /** QEMU's START (with our disk size). */
        public Start(String nodeAlias, String bitmapAlias, Granularity granularity, int flags, long diskSize) {
            this(nodeAlias, bitmapAlias, granularity, flags, diskSize, 0, null);
        }

        public static Start of(String node, String bitmap, Granularity g, boolean enabled, boolean persistent,
                long diskSize) {
            return new Start(node, bitmap, g, (enabled ? FLAG_ENABLED : 0) | (persistent ? FLAG_PERSISTENT : 0),
                    diskSize);
        }

        /** This START with a version record (and its flag) and the time the source read the bits. */
        public Start versioned(Version v, long readAt) {
            return new Start(nodeAlias, bitmapAlias, granularity, v == null ? flags & ~FLAG_VERSIONED
                    : flags | FLAG_VERSIONED, diskSize, readAt, v);
        }

        /** The same START under other aliases. */
        public Start withAliases(String node, String bitmap) {
            return new Start(node, bitmap, granularity, flags, diskSize, readTime, version);
        }

        public boolean enabled() {
            return (flags & FLAG_ENABLED) != 0;
        }

        public boolean persistent() {
            return (flags & FLAG_PERSISTENT) != 0;
        }

        /**
         * Reserved bits a destination must refuse ("Unknown flags in migrated dirty bitmap header"): QEMU's,
         * but {@link #FLAG_VERSIONED} only when a version record comes with it.
         */
        public int reservedFlags() {
            return flags & (version != null ? FLAG_RESERVED_MASK & ~FLAG_VERSIONED : FLAG_RESERVED_MASK);
        }
    }

    /**
     * What a versioned START asks of the replica's bitmap of the same name (DESIGN.md section 12).
     *
     * @param base   a delta: the sha256 of the version it applies to; null for a whole bitmap or a removal
     * @param sha256 QEMU's sha256 the whole new bitmap must have (checked at COMPLETE); null: unchecked
     * @param count  QEMU's count the whole new bitmap must have; -1: unchecked
     * @param remove the bitmap is gone at the source: remove the replica's (no BITS or COMPLETE follow)
     */
    record Version(String base, String sha256, long count, boolean remove) {
        /** A delta on {@code base} whose result must be {@code sha256}/{@code count}. */
        public static Version delta(String base, String sha256, long count) {
            return new Version(Objects.requireNonNull(base, "base"), sha256, count, false);
        }

        /** A whole bitmap whose result must be {@code sha256}/{@code count}. */
        public static Version whole(String sha256, long count) {
            return new Version(null, sha256, count, false);
        }

        /** A removal of the replica's bitmap of this name. */
        public static Version removal() {
            return new Version(null, null, -1, true);
        }

        public boolean delta() {
            return base != null && !remove;
        }
    }

    /**
     * Bits of {@code [firstSector, firstSector + sectors)} (512-byte sectors). {@code payload} is the
     * serialized range padded to 32 bytes, or null for a ZEROES chunk (an all-zero range).
     */
    record Bits(String nodeAlias, String bitmapAlias, long firstSector, long sectors, byte[] payload)
            implements Chunk {
        public Bits {
            Objects.requireNonNull(nodeAlias, "nodeAlias");
            Objects.requireNonNull(bitmapAlias, "bitmapAlias");
            if (firstSector < 0 || sectors < 0 || sectors > 0xffffffffL) {
                throw new IllegalArgumentException("bad sector range " + firstSector + "+" + sectors);
            }
        }

        public boolean zeroes() {
            return payload == null;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Bits b && b.nodeAlias.equals(nodeAlias) && b.bitmapAlias.equals(bitmapAlias)
                    && b.firstSector == firstSector && b.sectors == sectors && Arrays.equals(b.payload, payload);
        }

        @Override
        public int hashCode() {
            return Objects.hash(nodeAlias, bitmapAlias, firstSector, sectors) * 31 + Arrays.hashCode(payload);
        }

        @Override
        public String toString() {
            return "Bits[" + nodeAlias + "/" + bitmapAlias + " sectors " + firstSector + "+" + sectors
                    + (zeroes() ? " ZEROES" : " buf " + payload.length) + "]";
        }
    }

    /** Finishes a bitmap: the destination reclaims its successor and marks it migrated. */
    record Complete(String nodeAlias, String bitmapAlias) implements Chunk {
        public Complete {
            Objects.requireNonNull(nodeAlias, "nodeAlias");
            Objects.requireNonNull(bitmapAlias, "bitmapAlias");
        }
    }

    /**
     * Ends a batch of chunks. On QEMU's wire it carries nothing; in Kafka the final one carries the
     * manifest of bitmaps the migration sent (empty list when unknown, as on a QEMU stream).
     */
    record EndOfStream(List<BitmapRef> manifest) implements Chunk {
        public EndOfStream {
            manifest = List.copyOf(manifest);
        }

        public static EndOfStream empty() {
            return new EndOfStream(List.of());
        }
    }

    /**
     * The destination VM starts (QEMU's {@code before_vm_start}: the RUN command of a postcopy stream,
     * {@code migrate-start-postcopy}, or the end of a precopy migration). Not a chunk of QEMU's bitmap wire
     * format: the savevm stream carries it as a command; in Kafka it is keyed, like EndOfStream, by the
     * migration alone.
     */
    record Switchover() implements Chunk {
    }

    /** Node alias and bitmap alias of a bitmap as sent. */
    record BitmapRef(String nodeAlias, String bitmapAlias) {
    }
}
