package org.dbmstream.source.sync;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.dbmstream.bitmap.chunk.ChunkDigest;

/**
 * What one round does per bitmap (DESIGN.md section 12): a bitmap whose sha256 and geometry equal the
 * remembered version is unchanged; another sha256 with the same geometry is a delta of the chunks whose
 * digest differs; a bitmap not remembered (or whose geometry or flags changed) goes whole; a remembered
 * bitmap of a node that was read but no longer has it is removed (unless pruning is off).
 */
public final class RoundPlan {
    /** What happens to one bitmap this round. */
    public enum Kind { UNCHANGED, DELTA, FULL, REMOVE }

    /**
     * One bitmap's action.
     *
     * @param kind       what is sent
     * @param id         the bitmap's destination names
     * @param scanned    as the source has it now (null for a removal)
     * @param remembered the replica's version sync knows (null when none)
     * @param changed    a delta: the indices of the chunks that differ
     * @param why        why a whole bitmap is sent
     */
    public record Action(Kind kind, BitmapIdentity id, ScannedBitmap scanned, RememberedVersion remembered,
            long[] changed, String why) {
        /** Whether anything goes out for it. */
        public boolean sends() {
            return kind != Kind.UNCHANGED;
        }

        /** The same bitmap sent whole instead (a refused delta's fallback). */
        public Action whole(String reason) {
            return new Action(Kind.FULL, id, scanned, remembered, null, reason);
        }
    }

    private final List<Action> actions;

    private RoundPlan(List<Action> actions) {
        this.actions = List.copyOf(actions);
    }

    public List<Action> actions() {
        return actions;
    }

    /** The actions that send something. */
    public List<Action> sending() {
        return actions.stream().filter(Action::sends).toList();
    }

    /**
     * The round for {@code scanned} against {@code remembered}: removals for remembered bitmaps of the nodes in
     * {@code nodesRead} the source no longer has, when {@code prune}.
     */
    public static RoundPlan of(Collection<ScannedBitmap> scanned, Map<BitmapIdentity, RememberedVersion> remembered,
            Set<String> nodesRead, boolean prune) {
        Map<BitmapIdentity, Action> byId = new TreeMap<>();
        for (ScannedBitmap s : scanned) {
            byId.put(s.id(), decide(s, remembered.get(s.id())));
        }
        if (prune) {
            for (RememberedVersion r : remembered.values()) {
                if (!byId.containsKey(r.id()) && nodesRead.contains(r.id().node())) {
                    byId.put(r.id(), new Action(Kind.REMOVE, r.id(), null, r, null, "gone at the source"));
                }
            }
        }
        return new RoundPlan(new ArrayList<>(byId.values()));
    }

    private static Action decide(ScannedBitmap s, RememberedVersion r) {
        String why = wholeBecause(s, r);
        if (why != null) {
            return new Action(Kind.FULL, s.id(), s, r, null, why);
        }
        if (r.sha256().equals(s.digest().sha256())) {
            return new Action(Kind.UNCHANGED, s.id(), s, r, null, null);
        }
        return new Action(Kind.DELTA, s.id(), s, r, ChunkDigest.changed(r.digests(), s.digests()), null);
    }

    /** Why {@code s} cannot go as a delta on {@code r}; null when it can. */
    private static String wholeBecause(ScannedBitmap s, RememberedVersion r) {
        if (r == null) {
            return "new";
        }
        if (r.granularity() != s.granularity()) {
            return "granularity " + r.granularity() + " -> " + s.granularity();
        }
        if (r.size() != s.size()) {
            return "disk size " + r.size() + " -> " + s.size();
        }
        if (r.enabled() != s.bitmap().enabled() || r.persistent() != s.bitmap().persistent()) {
            return "flags changed";
        }
        if (r.chunkSectors() != s.chunkSectors() || r.digests().length != s.digests().length) {
            return "chunk size changed";
        }
        return null;
    }
}
