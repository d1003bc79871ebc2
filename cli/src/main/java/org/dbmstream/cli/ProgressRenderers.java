package org.dbmstream.cli;

import java.io.PrintStream;
import java.time.Duration;
import org.dbmstream.source.LineProgressRenderer;
import org.dbmstream.source.PublishListener;

/** Picks how {@code migrate} shows progress: a bar on an interactive terminal, plain lines otherwise. */
final class ProgressRenderers {
    private ProgressRenderers() {
    }

    /** A bar when the JVM has an interactive console, else a line every 2 seconds; both on {@code out}. */
    static PublishListener forConsole(final PrintStream out) {
        return System.console() != null ? new TerminalProgressRenderer(out, 0)
                : new LineProgressRenderer(out, Duration.ofSeconds(2));
    }
}
