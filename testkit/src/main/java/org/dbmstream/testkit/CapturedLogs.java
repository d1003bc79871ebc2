package org.dbmstream.testkit;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * The log lines of some loggers while a test provokes them on purpose: kept here for the test to assert on,
 * and out of the build log (the loggers stop passing lines to their parents' appenders until {@link #close()}),
 * so that a build log's warnings are the ones nobody expected.
 *
 * <pre>{@code
 * try (CapturedLogs logs = CapturedLogs.of("org.dbmstream.topology")) {
 *     ... // something that warns
 *     assertThat(logs.messages(Level.WARN)).anyMatch(m -> m.contains("dead-letter"));
 * }
 * }</pre>
 */
public final class CapturedLogs implements AutoCloseable {
    private final List<Logger> loggers = new ArrayList<>();
    private final List<Boolean> additive = new ArrayList<>();
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

    private CapturedLogs(String... names) {
        appender.start();
        for (String name : names) {
            Logger logger = (Logger) LoggerFactory.getLogger(name);
            loggers.add(logger);
            additive.add(logger.isAdditive());
            logger.addAppender(appender);
            logger.setAdditive(false);
        }
    }

    /** Captures the loggers named {@code names} (and their children) until closed. */
    public static CapturedLogs of(String... names) {
        return new CapturedLogs(names);
    }

    /** Captures the loggers of {@code types} until closed. */
    public static CapturedLogs of(Class<?>... types) {
        String[] names = new String[types.length];
        for (int i = 0; i < types.length; i++) {
            names[i] = types[i].getName();
        }
        return new CapturedLogs(names);
    }

    /** The formatted messages logged at {@code level} or above, in order. */
    public List<String> messages(Level level) {
        List<String> out = new ArrayList<>();
        // the appender appends under its own lock (AppenderBase.doAppend is synchronized)
        synchronized (appender) {
            for (ILoggingEvent e : appender.list) {
                if (e.getLevel().isGreaterOrEqual(level)) {
                    out.add(e.getFormattedMessage());
                }
            }
        }
        return out;
    }

    /** The messages at WARN or above. */
    public List<String> warnings() {
        return messages(Level.WARN);
    }

    @Override
    public void close() {
        for (int i = 0; i < loggers.size(); i++) {
            loggers.get(i).setAdditive(additive.get(i));
            loggers.get(i).detachAppender(appender);
        }
        appender.stop();
    }
}
