package org.dbmstream.source;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.dbmstream.bitmap.ReplicaNames;
import org.dbmstream.bitmap.SerializedBitmap;
import org.dbmstream.bitmap.source.BitmapCandidate;
import org.dbmstream.bitmap.source.BitmapSelector;
import org.dbmstream.bitmap.source.NodeCandidate;
import org.dbmstream.bitmap.source.SelectedBitmap;

/**
 * Turns a {@link MigrationRequest} into a {@link MigrationPlan}: opens the inputs, applies QEMU's
 * source-side selection (and the source mapping) to their bitmaps, and lines up the chunks. Selection
 * and mapping errors surface as {@link org.dbmstream.bitmap.source.SelectionException} /
 * {@link org.dbmstream.bitmap.mapping.MappingException} with QEMU's messages, before anything is sent.
 */
public final class MigrationPlanner {
    private MigrationPlanner() {
    }

    /** Plans {@code request} with the spec stamped now. */
    public static MigrationPlan plan(MigrationRequest request) throws IOException {
        return plan(request, System.currentTimeMillis());
    }

    /**
     * Plans {@code request} with the spec's time set to {@code specTimeMillis}. A node or bitmap name the
     * replica could not be read back by ({@link ReplicaNames}) is an {@link IllegalArgumentException}.
     */
    public static MigrationPlan plan(MigrationRequest request, long specTimeMillis) throws IOException {
        MigrationPlan plan = planChunks(request, specTimeMillis);
        try {
            for (PublishedBitmap b : plan.bitmaps()) {
                // the aliases are what the destination stores the bitmaps under (unless its mapping renames)
                ReplicaNames.problem(ReplicaNames.Kind.NODE, b.nodeAlias())
                        .or(() -> ReplicaNames.problem(ReplicaNames.Kind.BITMAP, b.bitmapAlias()))
                        .ifPresent(p -> {
                            throw new IllegalArgumentException("bitmap " + ReplicaNames.shown(b.bitmapName())
                                    + " of node " + ReplicaNames.shown(b.nodeName()) + " cannot be migrated: " + p);
                        });
            }
        } catch (RuntimeException e) {
            plan.close();
            throw e;
        }
        return plan;
    }

    private static MigrationPlan planChunks(MigrationRequest request, long specTimeMillis) throws IOException {
        var spec = MigrationSpecs.of(request, specTimeMillis);
        List<MigrationInput> inputs = request.inputs();
        if (inputs.stream().anyMatch(i -> i instanceof MigrationInput.MigrationStreamFile)) {
            if (inputs.size() != 1) {
                throw new IllegalArgumentException("a QEMU migration stream is a whole migration: publish it alone, "
                        + "not with other inputs");
            }
            if (request.sourceMapping() != null) {
                throw new IllegalArgumentException("a source-side mapping cannot apply to a QEMU migration stream: "
                        + "its names are already aliases");
            }
            var stream = (MigrationInput.MigrationStreamFile) inputs.get(0);
            StreamChunkSource chunks = StreamChunkSource.open(stream.file(), stream.diskSize(), request.chunkSize());
            if (chunks.switchoverAt() >= 0) {
                // a postcopy stream: the destination VM starts where QEMU's RUN command is
                return new MigrationPlan(spec, new SwitchoverChunkSource(chunks, chunks.switchoverAt(),
                        chunks.eosBeforeSwitchover()), List.of())
                        .fingerprint(request.fingerprint());
            }
            if (request.switchover()) {
                // a precopy stream: QEMU's destination starts the VM once the whole stream is loaded
                return new MigrationPlan(spec, new SwitchoverChunkSource(chunks, chunks.size(),
                        chunks.eosBeforeSwitchover()), List.of())
                        .fingerprint(request.fingerprint());
            }
            return new MigrationPlan(spec, chunks, List.of()).fingerprint(request.fingerprint());
        }
        Selection selection = select(request);
        List<NamedBitmap> named = selection.bitmaps();
        ChunkSource chunks = new BitmapChunkSource(named, request.chunkSize());
        if (request.switchover()) {
            // right after the STARTs and their EndOfStream, as migrate-start-postcopy at once
            chunks = new SwitchoverChunkSource(chunks, named.size() + 1L, 1);
        }
        return new MigrationPlan(spec, chunks, selection.opened()).fingerprint(request.fingerprint());
    }

    /**
     * The bitmaps of images and raw bitmaps (not QEMU streams) that QEMU's source-side selection and the
     * source mapping select, with their bits, and the nodes read (those without bitmaps too); the files
     * stay open in {@code opened} until the caller closes them.
     */
    public record Selection(List<NamedBitmap> bitmaps, List<String> nodes, List<AutoCloseable> opened) {
    }

    /** Opens {@code request}'s inputs (images and raw bitmaps) and selects their bitmaps as {@link #plan} does. */
    public static Selection select(MigrationRequest request) throws IOException {
        List<AutoCloseable> opened = new ArrayList<>();
        try {
            Nodes nodes = new Nodes();
            for (MigrationInput input : request.inputs()) {
                addInput(input, nodes, opened);
            }
            List<SelectedBitmap> selected = BitmapSelector.select(nodes.candidates(), request.sourceMapping());
            List<NamedBitmap> named = new ArrayList<>();
            for (SelectedBitmap s : selected) {
                SerializedBitmap bits = nodes.bits(s.nodeName(), s.bitmapName());
                named.add(new NamedBitmap(s.nodeName(), s.bitmapName(), s.withBits(bits)));
            }
            return new Selection(named, nodes.names(), opened);
        } catch (IOException | RuntimeException e) {
            closeQuietly(opened, e);
            throw e;
        }
    }

    private static void addInput(MigrationInput input, Nodes nodes, List<AutoCloseable> opened) throws IOException {
        if (input instanceof MigrationInput.Qcow2Image img) {
            Qcow2Inputs.add(img, nodes, opened);
        } else if (input instanceof MigrationInput.RawBitmapFile raw) {
            RawBitmapBits bits = RawBitmapBits.open(raw.file(), raw.diskSize(), raw.granularity());
            opened.add(bits);
            nodes.add(raw.nodeName(), input, new BitmapCandidate(raw.bitmapName(), raw.granularity(), raw.enabled(),
                    raw.persistent(), false, false), bits);
        } else if (input instanceof MigrationInput.InMemoryBitmap mem) {
            nodes.add(mem.nodeName(), input,
                    BitmapCandidate.of(mem.bitmapName(), mem.bits().granularity(), mem.enabled(), mem.persistent()),
                    mem.bits());
        } else {
            throw new IllegalStateException("a QEMU migration stream is planned on its own: " + input.describe());
        }
    }

    private static void closeQuietly(List<AutoCloseable> opened, Exception cause) {
        for (AutoCloseable c : opened) {
            try {
                c.close();
            } catch (Exception e) {
                cause.addSuppressed(e);
            }
        }
    }

    /** Source nodes in input order with their bitmap candidates and bits. */
    static final class Nodes {
        private final Map<String, Node> byName = new LinkedHashMap<>();

        /** Adds one bitmap of node {@code nodeName}, found in {@code input}. */
        void add(String nodeName, MigrationInput input, BitmapCandidate candidate, SerializedBitmap bits) {
            Node node = byName.computeIfAbsent(nodeName, n -> new Node(input));
            boolean ownNode = node.input == input;
            if (!ownNode && (node.input instanceof MigrationInput.Qcow2Image
                    || input instanceof MigrationInput.Qcow2Image)) {
                throw new IllegalArgumentException("node name '" + nodeName + "' is given twice: by "
                        + node.input.describe() + " and by " + input.describe() + " (name one node explicitly)");
            }
            if (candidate.name() != null && node.bits.containsKey(candidate.name())) {
                throw new IllegalArgumentException("bitmap '" + candidate.name() + "' of node '" + nodeName
                        + "' is given twice");
            }
            node.candidates.add(candidate);
            if (candidate.name() != null) {
                node.bits.put(candidate.name(), bits);
            }
        }

        /** Registers a node that has no bitmaps (so the node name is still claimed). */
        void addEmpty(String nodeName, MigrationInput input) {
            Node node = byName.computeIfAbsent(nodeName, n -> new Node(input));
            if (node.input != input) {
                throw new IllegalArgumentException("node name '" + nodeName + "' is given twice: by "
                        + node.input.describe() + " and by " + input.describe() + " (name one node explicitly)");
            }
        }

        List<String> names() {
            return List.copyOf(byName.keySet());
        }

        List<NodeCandidate> candidates() {
            List<NodeCandidate> out = new ArrayList<>();
            byName.forEach((name, node) -> out.add(new NodeCandidate(name, node.candidates)));
            return out;
        }

        SerializedBitmap bits(String nodeName, String bitmapName) {
            return byName.get(nodeName).bits.get(bitmapName);
        }

        private static final class Node {
            final MigrationInput input;
            final List<BitmapCandidate> candidates = new ArrayList<>();
            final Map<String, SerializedBitmap> bits = new LinkedHashMap<>();

            Node(MigrationInput input) {
                this.input = input;
            }
        }
    }
}
