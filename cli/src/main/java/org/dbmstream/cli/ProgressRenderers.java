package org.dbmstream.source;

import java.io.PrintStream;
import java.time.Duration;

/** Picks how progress is shown: a bar on an interactive terminal, plain lines otherwise. */
public final class ProgressRenderers {
    private ProgressRenderers() {
    }

    /** A bar when the JVM has an interactive console, else a line every 2 seconds; both on {@code out}. */
    public static PublishListener forConsole(PrintStream out) {
        return System.console() != null ? new TerminalProgressRenderer(out) : lines(out, Duration.ofSeconds(2));
    }

    /** Plain lines at most every {@code interval}. */
    public static PublishListener lines(PrintStream out, Duration interval) {
        return new LineProgressRenderer(out, interval);
    }
}
