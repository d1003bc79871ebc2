package org.dbmstream.bitmap.chunk;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * An 8-byte digest of one BITS chunk's content, what a source remembers of each chunk of the version a
 * replica has, so that the next round sends only the chunks whose digest changed (DESIGN.md section 12):
 * the first 8 bytes of the SHA-256 of the payload, 0 for ZEROES. A collision cannot make a replica
 * wrong: a changed chunk taken for unchanged makes the delta's result differ from the announced sha256,
 * and the destination refuses it.
 */
public final class ChunkDigest {
    /** The digest of an all-zero chunk. */
    public static final long ZEROES = 0L;

    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM has no SHA-256", e);
        }
    });

    private ChunkDigest() {
    }

    /** The digest of {@code bits}' content. */
    public static long of(Chunk.Bits bits) {
        if (bits.zeroes()) {
            return ZEROES;
        }
        MessageDigest md = SHA256.get();
        md.reset();
        long d = ByteBuffer.wrap(md.digest(bits.payload())).getLong();
        // 0 means ZEROES: a payload whose digest happens to start with eight zero bytes is told apart
        return d == ZEROES ? 1L : d;
    }

    /** The digest of every chunk {@code chunker} cuts, in order. */
    public static long[] all(BitmapChunker chunker) {
        long n = chunker.chunkCount();
        if (n > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("too many chunks to digest: " + n);
        }
        long[] out = new long[(int) n];
        for (int i = 0; i < out.length; i++) {
            out[i] = of(chunker.chunk(i));
        }
        return out;
    }

    /** Indices of the chunks whose digest differs between {@code before} and {@code after} (same layout). */
    public static long[] changed(long[] before, long[] after) {
        if (before.length != after.length) {
            throw new IllegalArgumentException("digests of " + before.length + " and " + after.length
                    + " chunks: not the same layout");
        }
        int n = 0;
        long[] out = new long[after.length];
        for (int i = 0; i < after.length; i++) {
            if (before[i] != after[i]) {
                out[n++] = i;
            }
        }
        return java.util.Arrays.copyOf(out, n);
    }
}
