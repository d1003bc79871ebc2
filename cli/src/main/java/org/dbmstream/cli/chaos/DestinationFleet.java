package org.dbmstream.cli.chaos;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The destination instances of a chaos run, as a StatefulSet would run them: instance {@code i} keeps its
 * state directory across restarts, a scale-up starts the next indices, a scale-down stops the highest ones
 * cleanly (SIGTERM). Crashes are SIGKILLs followed by a restart on the same state.
 */
final class DestinationFleet implements AutoCloseable {
    private static final Duration SETTLE = Duration.ofMinutes(5);

    private final Path dir;
    private final Supplier<String> bootstrap;
    private final String prefix;
    private final Path config;
    private final List<String> apiArgs;
    private final Consumer<String> progress;
    private final ChaosHttp http;
    private final List<DestinationProcess> running = new ArrayList<>();
    private int errors;

    /**
     * One scaling step: from how many instances to how many, when (seconds into the run), how long until every
     * one was ready again (-1: not within the settle time), and the longest stretch without any event meanwhile
     * ({@link #withGap}); {@code startNanos}/{@code endNanos} bound the step.
     */
    record ScaleStep(int from, int to, double startedAt, double readySeconds, double longestEventGap, long startNanos,
            long endNanos) {
        ScaleStep withGap(double seconds) {
            return new ScaleStep(from, to, startedAt, readySeconds, seconds, startNanos, endNanos);
        }
    }

    DestinationFleet(Path dir, Supplier<String> bootstrap, String prefix, Path config, List<String> apiArgs,
            ChaosHttp http, Consumer<String> progress) {
        this.dir = dir;
        this.bootstrap = bootstrap;
        this.prefix = prefix;
        this.config = config;
        this.apiArgs = apiArgs;
        this.http = http;
        this.progress = progress;
    }

    /** The running instances, in index order. */
    synchronized List<DestinationProcess> running() {
        return List.copyOf(running);
    }

    /** Instances that stopped on their own and were restarted. */
    synchronized int errors() {
        return errors;
    }

    /** Starts instances until {@code n} run (in parallel: each JVM takes a while to come up). */
    synchronized void startUpTo(int n) throws Exception {
        List<DestinationProcess> fresh = new ArrayList<>();
        for (int i = running.size(); i < n; i++) {
            fresh.add(new DestinationProcess(i, dir.resolve("destination-" + i), bootstrap, prefix, config, apiArgs));
        }
        ExecutorService starters = Executors.newFixedThreadPool(Math.max(1, fresh.size()));
        try {
            List<Future<?>> started = new ArrayList<>();
            for (DestinationProcess d : fresh) {
                started.add(starters.submit(() -> {
                    d.start();
                    return null;
                }));
            }
            for (Future<?> f : started) {
                f.get();
            }
        } finally {
            starters.shutdownNow();
        }
        running.addAll(fresh);
    }

    /** SIGKILLs a random instance and starts it again on its state directory; returns it. */
    synchronized DestinationProcess killAndRestart(Random random) throws InterruptedException, IOException {
        DestinationProcess victim = running.get(random.nextInt(running.size()));
        victim.kill();
        victim.start();
        return victim;
    }

    /**
     * Scales to {@code n} instances as a StatefulSet does (new indices up, highest indices down, with SIGTERM)
     * and waits until every instance answers its readiness probe again.
     *
     * @param t0 the run's start ({@link System#nanoTime()}), for the step's time stamp
     */
    synchronized ScaleStep scaleTo(int n, long t0) throws Exception {
        int from = running.size();
        long s0 = System.nanoTime();
        if (n > from) {
            startUpTo(n);
        } else {
            while (running.size() > n) {
                running.remove(running.size() - 1).stop();
            }
        }
        double ready = awaitReady() ? (System.nanoTime() - s0) / 1e9 : -1;
        progress.accept(String.format("scaled the destinations from %d to %d; all ready after %s", from, n,
                ready < 0 ? "(not within " + SETTLE + ")" : String.format("%.1f s", ready)));
        return new ScaleStep(from, n, (s0 - t0) / 1e9, ready, -1, s0, System.nanoTime());
    }

    /** Waits until every instance's readiness probe answers 200 twice in a row, a second apart. */
    synchronized boolean awaitReady() throws InterruptedException {
        long deadline = System.nanoTime() + SETTLE.toNanos();
        int streak = 0;
        while (System.nanoTime() < deadline) {
            boolean all = true;
            for (DestinationProcess d : running) {
                all &= http.ready(d.baseUrl());
            }
            streak = all ? streak + 1 : 0;
            if (streak == 2) {
                return true;
            }
            Thread.sleep(all ? 1000 : 200);
        }
        return false;
    }

    /** A destination whose process died or whose Streams client stopped on an error is restarted (and counted). */
    synchronized void heal() throws InterruptedException, IOException {
        for (DestinationProcess d : running) {
            if (d.broken()) {
                errors++;
                progress.accept("destination " + d.index() + " stopped on its own; restarting it (see " + d.log() + ")");
                d.stop();
                d.start();
            }
        }
    }

    @Override
    public synchronized void close() throws InterruptedException {
        progress.accept("stopping " + running.size() + " destination instances");
        for (DestinationProcess d : running) {
            d.stop();
        }
    }
}
