package org.dbmstream.serdes;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.utils.Utils;
import org.dbmstream.schemas.BitmapMapping;
import org.dbmstream.schemas.MigrationSpec;
import org.dbmstream.schemas.NodeMapping;

/**
 * The chunks partition of a bitmap: chosen by its destination identity, not by its chunk key, so that every
 * version of one (target, node, name) meets in one loading task whichever migration carries it (DESIGN.md
 * section 12): {@code toPositive(murmur2(utf8(target) 0x00 utf8(node) 0x00 utf8(bitmap))) mod partitions},
 * Kafka's own hash and formula for keys. Node and bitmap are the destination's names, after the spec's
 * destination mapping.
 */
public final class ChunkPartitions {
    private final String target;
    private final int partitions;
    /** Destination-side mapping: node alias to node name, and node alias + bitmap alias to bitmap name. */
    private final Map<String, String> nodes = new HashMap<>();
    private final Map<List<String>, String> bitmaps = new HashMap<>();
    private final boolean mapped;

    /** Partitions for the bitmaps of {@code spec}'s migration on a chunks topic of {@code partitions}. */
    public ChunkPartitions(MigrationSpec spec, int partitions) {
        if (partitions < 1) {
            throw new IllegalArgumentException("a topic has at least one partition: " + partitions);
        }
        this.target = spec.getTarget();
        this.partitions = partitions;
        this.mapped = spec.getMapping() != null;
        if (mapped) {
            for (NodeMapping n : spec.getMapping()) {
                nodes.put(n.getAlias(), n.getNodeName());
                for (BitmapMapping b : n.getBitmaps()) {
                    bitmaps.put(List.of(n.getAlias(), b.getAlias()), b.getName());
                }
            }
        }
    }

    /**
     * The partition of the bitmap sent under these aliases, or null when the destination mapping does not
     * resolve them (the destination cancels such a migration anyway; its records go where Kafka puts them).
     */
    public Integer of(String nodeAlias, String bitmapAlias) {
        String node = mapped ? nodes.get(nodeAlias) : nodeAlias;
        String bitmap = mapped ? bitmaps.get(List.of(nodeAlias, bitmapAlias)) : bitmapAlias;
        if (node == null || bitmap == null) {
            return null;
        }
        return of(target, node, bitmap, partitions);
    }

    /** The partition of bitmap {@code bitmap} on node {@code node} of {@code target} (destination names). */
    public static int of(String target, String node, String bitmap, int partitions) {
        return Utils.toPositive(Utils.murmur2(identity(target, node, bitmap))) % partitions;
    }

    /** The bytes hashed: the three UTF-8 names separated by NUL (which no QEMU name contains). */
    static byte[] identity(String target, String node, String bitmap) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(target.getBytes(StandardCharsets.UTF_8));
        out.write(0);
        out.writeBytes(node.getBytes(StandardCharsets.UTF_8));
        out.write(0);
        out.writeBytes(bitmap.getBytes(StandardCharsets.UTF_8));
        return out.toByteArray();
    }
}
