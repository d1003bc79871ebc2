package org.dbmstream.broker;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Processes this JVM started (broker nodes, destination instances of a chaos run) that must not outlive it:
 * when it ends on a signal (SIGTERM, Ctrl-C) its {@code finally} blocks do not run, so a shutdown hook
 * SIGKILLs whatever is still alive.
 */
public final class ChildProcesses {
    private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(p -> {
            if (p.isAlive()) {
                p.destroyForcibly();
            }
        }), "dbm-child-processes"));
    }

    private ChildProcesses() {
    }

    /** Ends {@code process} with this JVM; returns it. */
    public static Process track(Process process) {
        LIVE.add(process);
        process.onExit().thenRun(() -> LIVE.remove(process));
        return process;
    }
}
