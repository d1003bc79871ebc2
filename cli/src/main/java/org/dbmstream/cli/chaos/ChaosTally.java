package org.dbmstream.cli.chaos;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.dbmstream.schemas.BitmapCompleted;
import org.dbmstream.schemas.Event;
import org.dbmstream.schemas.MigrationCancelled;
import org.dbmstream.schemas.MigrationCompleted;
import org.dbmstream.schemas.MigrationFailed;

/**
 * Judges a chaos run's events against the plan: {@code lost} bitmaps (a bitmap of a completed migration
 * without BitmapCompleted, or every bitmap of a migration without a final event), {@code duplicated}
 * events (any event emitted more than once for one bitmap, or a second final event of a migration),
 * {@code mismatched} sha256/count (against the generator's), {@code wrong_outcome} (a final event other
 * than the one expected).
 */
final class ChaosTally {
    private final Map<String, List<Event>> byMigration = new HashMap<>();
    /** When ({@link System#nanoTime()}) each migration's first final event was read. */
    private final Map<String, Long> finalSeen = new HashMap<>();
    /** When each event was read, in order: the gaps show when the destinations stalled. */
    private final List<Long> seen = new ArrayList<>();

    /** Adds an event read at {@code nanoTime}. */
    synchronized void add(Event e, long nanoTime) {
        byMigration.computeIfAbsent(e.getMigration(), k -> new ArrayList<>()).add(e);
        seen.add(nanoTime);
        if (isFinal(e)) {
            finalSeen.putIfAbsent(e.getMigration(), nanoTime);
        }
    }

    void add(Event e) {
        add(e, System.nanoTime());
    }

    /** Whether {@code migration}'s (first) final event says it completed. */
    synchronized boolean completed(String migration) {
        List<Event> f = finals(migration);
        return !f.isEmpty() && f.get(0).getBody() instanceof MigrationCompleted;
    }

    /** When the first final event of {@code migration} was read, if it was. */
    synchronized Long finalSeen(String migration) {
        return finalSeen.get(migration);
    }

    /**
     * The longest time within {@code [from, to]} (nanoTime) from its start or an event to the next event: how
     * long the destinations' output stalled, while migrations were in flight.
     */
    synchronized long longestGapNanos(long from, long to) {
        long previous = from;
        long longest = 0;
        for (long t : seen) {
            if (t < from) {
                continue;
            }
            if (t > to) {
                break;
            }
            longest = Math.max(longest, t - previous);
            previous = t;
        }
        return longest;
    }

    static boolean isFinal(Event e) {
        return e.getBody() instanceof MigrationCompleted || e.getBody() instanceof MigrationCancelled
                || e.getBody() instanceof MigrationFailed;
    }

    /** Planned migrations still without a final event. */
    synchronized long unfinished(List<PlannedMigration> plan) {
        return plan.stream().filter(m -> finals(m.id()).isEmpty()).count();
    }

    private List<Event> finals(String migration) {
        return byMigration.getOrDefault(migration, List.of()).stream().filter(ChaosTally::isFinal).toList();
    }

    synchronized Counts judge(List<PlannedMigration> plan) {
        Counts c = new Counts();
        for (PlannedMigration m : plan) {
            List<Event> mine = byMigration.getOrDefault(m.id(), List.of());
            List<Event> finals = finals(m.id());
            c.duplicated += Math.max(0, finals.size() - 1);
            // the same event for the same bitmap twice (the body's type, node and name)
            Map<String, Long> perBitmap = mine.stream().filter(e -> !isFinal(e)).collect(Collectors.groupingBy(
                    e -> e.getBody().getClass().getSimpleName() + "/" + e.getNode() + "/" + e.getBitmap(),
                    Collectors.counting()));
            c.duplicated += perBitmap.values().stream().mapToLong(n -> n - 1).sum();
            if (finals.isEmpty()) {
                c.lost += m.bitmaps().size();
                continue;
            }
            Object outcome = finals.get(0).getBody();
            if (m.expected() == PlannedMigration.Outcome.COMPLETED_OR_FAILED) {
                c.notes.add(m.id() + " (publisher killed, retried with the same id): " + describe(outcome));
            }
            if (!expected(m.expected(), outcome)) {
                c.wrongOutcome++;
                c.notes.add(m.id() + ": expected " + m.expected() + ", got " + describe(outcome));
            }
            if (outcome instanceof MigrationCompleted) {
                for (PlannedMigration.Bitmap b : m.bitmaps()) {
                    List<BitmapCompleted> done = mine.stream().filter(e -> e.getBody() instanceof BitmapCompleted
                            && b.node().equals(e.getNode()) && b.name().equals(e.getBitmap()))
                            .map(e -> (BitmapCompleted) e.getBody()).toList();
                    if (done.isEmpty()) {
                        c.lost++;
                        c.notes.add(m.id() + ": no BitmapCompleted for " + b.node() + "/" + b.name());
                    } else if (!done.get(0).getSha256().equals(b.sha256()) || done.get(0).getCount() != b.count()) {
                        c.mismatched++;
                        c.notes.add(m.id() + ": " + b.node() + "/" + b.name() + " sha256/count differ");
                    }
                }
            }
        }
        return c;
    }

    private static boolean expected(PlannedMigration.Outcome expected, Object outcome) {
        return switch (expected) {
            case COMPLETED -> outcome instanceof MigrationCompleted;
            case CANCELLED -> outcome instanceof MigrationCancelled;
            case COMPLETED_OR_FAILED -> outcome instanceof MigrationCompleted
                    || outcome instanceof MigrationFailed f && !f.getReason().isBlank();
        };
    }

    private static String describe(Object outcome) {
        if (outcome instanceof MigrationCancelled c) {
            return "cancelled: " + c.getReason();
        }
        if (outcome instanceof MigrationFailed f) {
            return "failed: " + f.getReason();
        }
        return outcome.getClass().getSimpleName();
    }

    /** The four counters that must be 0, and what explains each non-zero one. */
    static final class Counts {
        long lost;
        long duplicated;
        long mismatched;
        long wrongOutcome;
        final List<String> notes = new ArrayList<>();

        boolean clean() {
            return lost == 0 && duplicated == 0 && mismatched == 0 && wrongOutcome == 0;
        }
    }
}
