package org.dbmstream.cli.bench;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Bytes a process made the kernel write to disk ({@code write_bytes} of {@code /proc/PID/io}), in all and per
 * group of threads ({@code /proc/PID/task/TID/io}, grouped by thread name): what a destination with its
 * in-process broker costs the disk, and which part of it (the broker's request handlers writing topics, its
 * log cleaner compacting changelogs, RocksDB flushing and compacting). Linux only: elsewhere every figure is -1.
 */
final class ProcessIo {
    /** A reading: the process's total, and per thread id its name and bytes. */
    record Snapshot(long total, Map<Long, Thread> threads) {
        /** One thread's name ({@code comm}, at most 15 characters) and bytes. */
        record Thread(String name, long bytes) {
        }
    }

    private final long pid;

    ProcessIo(long pid) {
        this.pid = pid;
    }

    /** Reads the process's figures now; total -1 when {@code /proc} has none. */
    Snapshot read() {
        Path proc = Path.of("/proc", Long.toString(pid));
        Map<Long, Snapshot.Thread> threads = new HashMap<>();
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(proc.resolve("task"))) {
            for (Path task : tasks) {
                try {
                    threads.put(Long.parseLong(task.getFileName().toString()), new Snapshot.Thread(
                            Files.readString(task.resolve("comm")).trim(), writeBytes(task.resolve("io"))));
                } catch (IOException | RuntimeException ended) {
                    // the thread ended while we looked: its bytes show in the process's total
                }
            }
            return new Snapshot(writeBytes(proc.resolve("io")), threads);
        } catch (IOException | RuntimeException e) {
            return new Snapshot(-1, Map.of());
        }
    }

    /**
     * Bytes written between two readings, in all ({@code total}) and per group: {@code broker_requests}
     * (Kafka's request handler threads, appending to topic logs), {@code log_cleaner} (compacting changelogs
     * and other compacted topics), {@code rocksdb} (memtable flushes and compactions), {@code stream_threads},
     * and {@code other} (the rest, threads that ended meanwhile included).
     */
    static Map<String, Long> written(Snapshot before, Snapshot after) {
        Map<String, Long> groups = new LinkedHashMap<>();
        long total = before.total() < 0 || after.total() < 0 ? -1 : after.total() - before.total();
        groups.put("total", total);
        for (String g : new String[] {"broker_requests", "log_cleaner", "rocksdb", "stream_threads"}) {
            groups.put(g, 0L);
        }
        long grouped = 0;
        for (Map.Entry<Long, Snapshot.Thread> e : after.threads().entrySet()) {
            Snapshot.Thread was = before.threads().get(e.getKey());
            long delta = e.getValue().bytes() - (was == null ? 0 : was.bytes());
            String group = group(e.getValue().name());
            if (group != null && delta > 0) {
                groups.merge(group, delta, Long::sum);
                grouped += delta;
            }
        }
        groups.put("other", total < 0 ? -1 : Math.max(0, total - grouped));
        return groups;
    }

    private static String group(String thread) {
        if (thread.startsWith("data-plane-kafk")) {
            return "broker_requests";
        }
        if (thread.startsWith("kafka-log-clean")) {
            return "log_cleaner";
        }
        if (thread.startsWith("rocksdb:")) {
            return "rocksdb";
        }
        // Kafka Streams names its threads <client id>-StreamThread-N; comm keeps the first 15 characters
        return thread.contains("StreamThr") || thread.startsWith("dbm-destination") ? "stream_threads" : null;
    }

    private static long writeBytes(Path io) throws IOException {
        for (String line : Files.readAllLines(io)) {
            if (line.startsWith("write_bytes:")) {
                return Long.parseLong(line.substring("write_bytes:".length()).trim());
            }
        }
        throw new IOException("no write_bytes in " + io);
    }
}
