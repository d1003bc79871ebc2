package org.dbmstream.testkit.fuzz;

import java.util.SplittableRandom;

/**
 * Runs one fuzz property over many generated inputs. Each try has its own generator seeded from the
 * run's seed and the try number, so a failure names both and is reproduced with
 * {@code -Ddbm.fuzz.seed=S -Ddbm.fuzz.from=T}. The number of tries is {@code dbm.fuzz.tries}
 * (default {@value #DEFAULT_TRIES}: seconds in CI); a long run sets it to hundreds of thousands.
 */
public final class FuzzRunner {
    /** Tries per property when {@code dbm.fuzz.tries} is not set. */
    public static final int DEFAULT_TRIES = 1500;
    private static final long DEFAULT_SEED = 0x5eed_d1b1_75a7L;

    private FuzzRunner() {
    }

    /** One generated input and how it was made (for a failure message). */
    public record Input(byte[] bytes, Object how) {
    }

    /** Makes the input of one try. */
    @FunctionalInterface
    public interface Generator {
        Input next(SplittableRandom rnd);
    }

    /** Judges one input: true when the reader refused it with a named error, false when it read it. */
    @FunctionalInterface
    public interface Check {
        boolean refused(byte[] input) throws Exception;
    }

    /** What a run did. */
    public record Summary(String name, long tries, long refused, long seed) {
        @Override
        public String toString() {
            return "fuzz " + name + ": " + tries + " inputs, " + refused + " refused with a named error, seed "
                    + Long.toHexString(seed);
        }
    }

    /** Runs {@code check} on inputs from {@code gen}; fails naming the seed, try and input. */
    public static Summary run(final String name, final Generator gen, final Check check) {
        final long seed = Long.decode(System.getProperty("dbm.fuzz.seed", Long.toString(DEFAULT_SEED)));
        final long tries = Long.getLong("dbm.fuzz.tries", DEFAULT_TRIES);
        final long from = Long.getLong("dbm.fuzz.from", 0);
        long refused = 0;
        for (long t = from; t < from + tries; t++) {
            final Input in = gen.next(new SplittableRandom(seed ^ (t * 0x9e3779b97f4a7c15L)));
            try {
                if (check.refused(in.bytes())) {
                    refused++;
                }
            } catch (Exception | AssertionError e) {
                throw new AssertionError(name + " failed at try " + t + " (seed 0x" + Long.toHexString(seed) + "): "
                        + in.how() + ", " + FuzzVerdict.describe(in.bytes()) + ": " + e.getMessage(), e);
            }
        }
        final Summary s = new Summary(name, tries, refused, seed);
        System.out.println(s);
        return s;
    }

    /** Inputs: {@code mutator}'s original with 1..{@code max} random mutations. */
    public static Generator mutations(final Mutator mutator, final int max) {
        return rnd -> {
            final var ms = mutator.randomMutations(rnd, max);
            return new Input(mutator.apply(ms), ms);
        };
    }
}
