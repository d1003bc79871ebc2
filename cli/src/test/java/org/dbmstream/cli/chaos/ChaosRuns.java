package org.dbmstream.cli.chaos;

import java.io.PrintWriter;
import java.io.StringWriter;

/** Runs a chaos run for a test, so that a run that throws still shows what it did up to then. */
final class ChaosRuns {

    private ChaosRuns() {
    }

    /** Runs {@code settings}, writing progress to {@code progress}; a failure carries the progress in its message. */
    static ChaosResult run(ChaosRun.Settings settings, StringWriter progress) {
        try {
            return new ChaosRun(settings, new PrintWriter(progress, true)).run();
        } catch (Exception e) {
            throw new AssertionError("the chaos run failed: " + e + "\nits progress:\n" + progress, e);
        }
    }
}
