package org.dbmstream.testkit.fuzz;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Makes mutated copies of one real input: random truncations, bit flips, huge lengths and counts,
 * repeated ranges. Deterministic for a given random generator, so a failing input is reproduced from
 * the run's seed and try number.
 */
public final class Mutator {
    /** Values that break length and count fields: 0, -1, sign bits, 2^32 - 1, a 1 TiB length. */
    private static final long[] EDGES = {0, 1, 2, 7, 8, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0xffff, 0x10000,
        0x7fffffffL, 0x80000000L, 0xffffffffL, 0x100000000L, 1L << 40, 1L << 55, Long.MAX_VALUE, Long.MIN_VALUE,
        -1, -8};
    private static final Mutation.Kind[] KINDS = Mutation.Kind.values();

    private final byte[] original;
    private final long[][] regions;
    private long[] hotValues = new long[0];

    /**
     * Mutates {@code original}; {@code regions} are {@code {offset, length}} pairs of interesting
     * bytes (a header, a table) that mutations may aim at.
     */
    public Mutator(final byte[] original, final long[]... regions) {
        this.original = original.clone();
        this.regions = regions.clone();
    }

    /** The unmutated input. */
    public byte[] original() {
        return original.clone();
    }

    /**
     * Also writes these values (and each +-8), e.g. the offsets and sizes of the input's own structures,
     * which make tables point at themselves or at each other.
     */
    public Mutator withHotValues(final long... values) {
        this.hotValues = values.clone();
        return this;
    }

    /** 1..{@code max} random mutations, aimed anywhere or at one of the regions. */
    public List<Mutation> randomMutations(final SplittableRandom rnd, final int max) {
        final int n = 1 + rnd.nextInt(max);
        final List<Mutation> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            final int region = regions.length == 0 || rnd.nextBoolean() ? -1 : rnd.nextInt(regions.length);
            out.add(new Mutation(KINDS[rnd.nextInt(KINDS.length)], region, rnd.nextLong(Long.MAX_VALUE),
                    randomValue(rnd)));
        }
        return out;
    }

    private long randomValue(final SplittableRandom rnd) {
        final int pick = rnd.nextInt(6);
        if (pick < 2) {
            return EDGES[rnd.nextInt(EDGES.length)];
        }
        if (pick == 2 && hotValues.length > 0) {
            return hotValues[rnd.nextInt(hotValues.length)] + 8L * (rnd.nextInt(3) - 1);
        }
        return pick == 3 ? rnd.nextLong(4096) : rnd.nextLong();
    }

    /** A new array: the original with {@code mutations} applied in order. */
    public byte[] apply(final List<Mutation> mutations) {
        byte[] b = original.clone();
        for (final Mutation m : mutations) {
            b = apply(b, m);
        }
        return b;
    }

    private byte[] apply(final byte[] b, final Mutation m) {
        if (b.length == 0) {
            return m.kind() == Mutation.Kind.INSERT ? insert(b, 0, m.value()) : b;
        }
        final int pos = position(b.length, m);
        final long v = m.value();
        switch (m.kind()) {
            case FLIP_BIT -> b[pos] ^= (byte) (1 << (v & 7));
            case SET_BYTE -> b[pos] = (byte) v;
            case SET_BE16 -> setBe(b, pos, v, 2);
            case SET_BE32 -> setBe(b, pos, v, 4);
            case SET_BE64 -> setBe(b, pos, v, 8);
            case TRUNCATE -> {
                return Arrays.copyOf(b, pos);
            }
            case DELETE -> {
                final int n = (int) Math.min(b.length - pos, (v & 0xff) + 1);
                final byte[] out = new byte[b.length - n];
                System.arraycopy(b, 0, out, 0, pos);
                System.arraycopy(b, pos + n, out, pos, b.length - pos - n);
                return out;
            }
            case INSERT -> {
                return insert(b, pos, v);
            }
            case DUPLICATE -> {
                final int n = (int) Math.min(b.length - pos, (v & 0xfff) + 1);
                final ByteArrayOutputStream out = new ByteArrayOutputStream(b.length + n);
                out.write(b, 0, pos + n);
                out.write(b, pos, b.length - pos);
                return out.toByteArray();
            }
            default -> throw new IllegalArgumentException(m.kind().toString());
        }
        return b;
    }

    private int position(final int length, final Mutation m) {
        long start = 0;
        long len = length;
        if (m.region() >= 0 && regions.length > 0) {
            final long[] r = regions[m.region() % regions.length];
            start = Math.min(r[0], length - 1L);
            len = Math.max(1, Math.min(r[1], length - start));
        }
        return (int) (start + Math.floorMod(m.at(), len));
    }

    /** Inserts 1..16 bytes derived from {@code v}. */
    private static byte[] insert(final byte[] b, final int pos, final long v) {
        final int n = (int) ((v >>> 60) & 0xf) + 1;
        final byte[] out = new byte[b.length + n];
        System.arraycopy(b, 0, out, 0, pos);
        for (int i = 0; i < n; i++) {
            out[pos + i] = (byte) (v >>> (8 * (i % 8)));
        }
        System.arraycopy(b, pos, out, pos + n, b.length - pos);
        return out;
    }

    private static void setBe(final byte[] b, final int pos, final long v, final int width) {
        for (int i = 0; i < width && pos + i < b.length; i++) {
            b[pos + i] = (byte) (v >>> (8 * (width - 1 - i)));
        }
    }
}
