package org.dbmstream.testkit.fuzz;

import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

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

    /**
     * Runs {@code check} on inputs from {@code gen}; fails naming the seed, try and input. The tries run
     * on a daemon thread watched from this one: a try that takes longer than {@code dbm.fuzz.hang.seconds}
     * (default 60, generous for a loaded machine; an input takes milliseconds) is reported as a hang.
     */
    public static Summary run(final String name, final Generator gen, final Check check) {
        final long seed = Long.decode(System.getProperty("dbm.fuzz.seed", Long.toString(DEFAULT_SEED)));
        final long tries = Long.getLong("dbm.fuzz.tries", DEFAULT_TRIES);
        final long from = Long.getLong("dbm.fuzz.from", 0);
        final long hangNanos = TimeUnit.SECONDS.toNanos(Long.getLong("dbm.fuzz.hang.seconds", 60));
        final AtomicReference<Input> current = new AtomicReference<>();
        final AtomicLong currentTry = new AtomicLong(-1);
        final AtomicLong tryStarted = new AtomicLong(System.nanoTime());
        final long[] refused = {0};
        final FutureTask<Void> loop = new FutureTask<>(() -> {
            for (long t = from; t < from + tries; t++) {
                final Input in = gen.next(new SplittableRandom(seed ^ (t * 0x9e3779b97f4a7c15L)));
                current.set(in);
                tryStarted.set(System.nanoTime());
                currentTry.set(t);
                try {
                    if (check.refused(in.bytes())) {
                        refused[0]++;
                    }
                } catch (Exception | AssertionError e) {
                    throw new AssertionError(failure(name, t, seed, in) + ": " + e.getMessage(), e);
                }
            }
            return null;
        });
        final Thread worker = new Thread(loop, "fuzz-" + name);
        worker.setDaemon(true);
        worker.start();
        try {
            while (true) {
                try {
                    loop.get(1, TimeUnit.SECONDS);
                    break;
                } catch (TimeoutException e) {
                    final long t = currentTry.get();
                    if (System.nanoTime() - tryStarted.get() > hangNanos && t == currentTry.get()) {
                        throw new AssertionError(failure(name, t, seed, current.get()) + ": no result after "
                                + TimeUnit.NANOSECONDS.toSeconds(hangNanos) + " s (a hang)");
                    }
                }
            }
        } catch (ExecutionException e) {
            if (e.getCause() instanceof AssertionError a) {
                throw a;
            }
            throw new AssertionError(name + ": " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(name + " interrupted", e);
        }
        final Summary s = new Summary(name, tries, refused[0], seed);
        System.out.println(s);
        return s;
    }

    private static String failure(final String name, final long t, final long seed, final Input in) {
        return name + " failed at try " + t + " (seed 0x" + Long.toHexString(seed) + "): " + in.how() + ", "
                + FuzzVerdict.describe(in.bytes());
    }

    /** Inputs: {@code mutator}'s original with 1..{@code max} random mutations. */
    public static Generator mutations(final Mutator mutator, final int max) {
        return rnd -> {
            final var ms = mutator.randomMutations(rnd, max);
            return new Input(mutator.apply(ms), ms);
        };
    }
}
