package org.dbmstream.testkit.fuzz;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * The fuzz suites' judgement of one input: the reader either succeeded or threw one of the error
 * types it documents, with a message naming where the input is wrong; it never threw anything else
 * and never allocated beyond the stated bound.
 */
public final class FuzzVerdict {
    /** The bound every reader keeps whatever an input claims (a length of 1 TiB, a count of 2^32). */
    public static final long ALLOCATION_BOUND = 16L << 20;

    private FuzzVerdict() {
    }

    /**
     * Fails unless {@code m} allocated at most {@link #ALLOCATION_BOUND} plus {@code perInputByte}
     * bytes per input byte, and threw nothing or an instance of one of {@code expected} whose message
     * contains {@code mustMention}. Returns the expected exception thrown, or null.
     */
    @SafeVarargs
    public static Throwable check(final byte[] input, final AllocationMeter.Measured m, final int perInputByte,
                                  final String mustMention, final Class<? extends Throwable>... expected) {
        final long bound = ALLOCATION_BOUND + (long) perInputByte * input.length;
        if (m.bytes() > bound) {
            throw new AssertionError("allocated " + m.bytes() + " bytes, bound " + bound + " for " + describe(input),
                    m.thrown());
        }
        final Throwable t = m.thrown();
        if (t == null) {
            return null;
        }
        if (Arrays.stream(expected).noneMatch(c -> c.isInstance(t))) {
            throw new AssertionError("unexpected " + t + " for " + describe(input), t);
        }
        if (t.getMessage() == null || !t.getMessage().contains(mustMention)) {
            throw new AssertionError("error does not mention '" + mustMention + "': " + t + " for " + describe(input),
                    t);
        }
        return t;
    }

    /** The input's length and, if short, its bytes in hex, for a failure message. */
    public static String describe(final byte[] input) {
        return input.length + "-byte input" + (input.length <= 256 ? " " + HexFormat.of().formatHex(input) : "");
    }
}
