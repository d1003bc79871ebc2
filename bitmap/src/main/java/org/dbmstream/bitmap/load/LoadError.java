package org.dbmstream.bitmap.load;

import java.util.Objects;

/**
 * A reason the destination stops loading a migration's bitmaps: QEMU's exact message (from
 * {@code migration/block-dirty-bitmap.c}) and whether it cancels or fails the migration. The factory
 * methods are the rows of DESIGN.md section 4's table.
 */
public record LoadError(Consequence consequence, String message) {

    public LoadError {
        Objects.requireNonNull(consequence, "consequence");
        Objects.requireNonNull(message, "message");
    }

    /** A node alias the destination mapping does not list. */
    public static LoadError unknownNodeAlias(String nodeAlias) {
        return cancel("Error: Unknown node alias '%s'", nodeAlias);
    }

    /**
     * A node the destination does not have. Without a mapping QEMU looks the alias up as device and
     * node name; with one it looks up the mapped node name only (device empty).
     */
    public static LoadError noSuchNode(String device, String nodeName) {
        return cancel("Cannot find device='%s' nor node-name='%s'", device, nodeName);
    }

    /** A bitmap alias the node's mapping does not list. */
    public static LoadError unknownBitmapAlias(String bitmapAlias, String nodeName, String nodeAlias) {
        return cancel("Error: Unknown bitmap alias '%s' on node '%s' (alias '%s')", bitmapAlias, nodeName, nodeAlias);
    }

    /** A chunk other than EOS before any node or bitmap name was sent. */
    public static LoadError nameNotSet() {
        return cancel("Error: block device name is not set");
    }

    /** BITS or COMPLETE for a bitmap that was never STARTed. */
    public static LoadError unknownBitmap(String bitmapName, String nodeName) {
        return cancel("Error: unknown dirty bitmap '%s' for block device '%s'", bitmapName, nodeName);
    }

    /** START for a bitmap that already exists on the node. */
    public static LoadError alreadyExists(String bitmapName) {
        return fail("Bitmap with the same name ('%s') already exists on destination", bitmapName);
    }

    /** START with reserved flag bits; QEMU prints the whole flags byte in lower-case hex. */
    public static LoadError unknownFlags(int flags) {
        return fail("Unknown flags in migrated dirty bitmap header: %x", flags);
    }

    /** A BITS buffer over 10 * CHUNK_SIZE: refused before it is even read. */
    public static LoadError bufferTooBig() {
        return fail("Bitmap migration stream buffer allocation request is too big");
    }

    /** A BITS buffer whose size does not fit the range at the bitmap's granularity. */
    public static LoadError granularityMismatch(String bitmapName) {
        return cancel("Migrated bitmap granularity doesn't match the destination bitmap '%s' granularity", bitmapName);
    }

    /**
     * A BITS range reaching past the end of the bitmap, which QEMU asserts on: ours, since a crash is
     * no answer for a service.
     */
    public static LoadError rangeOutside(String bitmapName, long firstBit, long endBit, long bitCount) {
        return cancel("Migrated bitmap range [%d, %d) does not fit the destination bitmap '%s' of %d bits",
                firstBit, endBit, bitmapName, bitCount);
    }

    /** A BITS range not starting on a 64-bit word of the bitmap (QEMU asserts on it; ours cancels). */
    public static LoadError rangeMisaligned(String bitmapName, long firstBit) {
        return cancel("Migrated bitmap range starting at bit %d is not aligned to 64 bits in bitmap '%s'",
                firstBit, bitmapName);
    }

    /**
     * A node or bitmap name (after alias resolution) or a target the replica could not be read back by
     * ({@link org.dbmstream.bitmap.ReplicaNames}): ours, the migration fails before anything is stored.
     */
    public static LoadError refusedName(String problem) {
        return new LoadError(Consequence.FAIL, problem + ": the replica could not be read back by it; nothing "
                + "was stored");
    }

    /** Stream version other than 1, a truncated chunk or another read error: the migration fails. */
    public static LoadError streamError(String detail) {
        return new LoadError(Consequence.FAIL, detail);
    }

    private static LoadError cancel(String format, Object... args) {
        return new LoadError(Consequence.CANCEL, String.format(format, args));
    }

    private static LoadError fail(String format, Object... args) {
        return new LoadError(Consequence.FAIL, String.format(format, args));
    }
}
