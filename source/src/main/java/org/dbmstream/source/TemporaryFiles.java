package org.dbmstream.source;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Temporary files a command makes (downloaded bitmaps, unpacked images, streams written before they are
 * moved into place), removed when the command is done with them and, whatever happens, when the JVM
 * stops: a shutdown hook, which also runs on SIGTERM and Ctrl-C, deletes those still registered. A
 * killed {@code dbm} must not leave a half-written multi-gigabyte file behind in {@code /tmp}.
 */
public final class TemporaryFiles {
    private static final Set<Path> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(TemporaryFiles::deleteAll, "dbm-temporary-files"));
    }

    private TemporaryFiles() {
    }

    /** A new empty file in the default temporary directory, deleted at exit unless {@link #delete}d before. */
    public static Path create(String prefix, String suffix) throws IOException {
        Path file = Files.createTempFile(prefix, suffix);
        LIVE.add(file);
        return file;
    }

    /**
     * Registers {@code file}, which the caller is about to create: registered first, so no moment exists
     * in which the file is there and the hook does not know it.
     */
    public static Path register(Path file) {
        LIVE.add(file);
        return file;
    }

    /** Deletes {@code file} now (if it is there) and forgets it. */
    public static void delete(Path file) throws IOException {
        try {
            Files.deleteIfExists(file);
        } finally {
            LIVE.remove(file);
        }
    }

    /** Forgets {@code file} without deleting it: it was moved into place and is no longer temporary. */
    public static void keep(Path file) {
        LIVE.remove(file);
    }

    private static void deleteAll() {
        for (Path file : LIVE) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException | RuntimeException e) {
                // the JVM is stopping: nothing better to do than try the next one
            }
        }
    }
}
