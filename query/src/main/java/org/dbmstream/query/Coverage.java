package org.dbmstream.query;

import java.net.http.HttpResponse;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * The partitions of the loading stores an answer merged from several instances looked at. Each instance says
 * in a header which partitions its {@code ?local=true} answer covered; the instance that merges answers only
 * when they cover every partition, else 503: a bitmap whose task is restoring or moving during a failover is
 * unavailable for a moment, never "not found" and never missing from a list.
 */
final class Coverage {
    /** Header of a {@code ?local=true} answer: the partitions it covered, {@code 0,2,5} (empty for none). */
    static final String HEADER = "Dbm-Partitions";

    private final Set<Integer> seen = new TreeSet<>();

    Coverage(Set<Integer> mine) {
        seen.addAll(mine);
    }

    /**
     * Adds what {@code peer}'s answer covered. An instance of a version without the header covers what the
     * group's assignment gives it (as all answers were taken before), so that a rolling upgrade keeps answering.
     */
    void add(HttpResponse<?> answer, Peers.Peer peer) {
        add(answer.headers().firstValue(HEADER), peer);
    }

    void add(Optional<String> header, Peers.Peer peer) {
        seen.addAll(header.map(Coverage::parse).orElse(peer.assigned()));
    }

    /** Throws 503 unless every partition {@code 0..count-1} was looked at. */
    void requireAll(int count) {
        Set<Integer> missing = IntStream.range(0, count).filter(p -> !seen.contains(p)).boxed()
                .collect(Collectors.toCollection(TreeSet::new));
        if (!missing.isEmpty()) {
            throw new Unavailable("no instance can answer for partition(s) " + missing
                    + " of the destination's state right now (an instance failed or tasks are moving)");
        }
    }

    static String header(Set<Integer> partitions) {
        return partitions.stream().map(String::valueOf).collect(Collectors.joining(","));
    }

    static Set<Integer> parse(String header) {
        Set<Integer> out = new TreeSet<>();
        for (String p : header.split(",")) {
            if (!p.isBlank()) {
                out.add(Integer.parseInt(p.trim()));
            }
        }
        return out;
    }
}
