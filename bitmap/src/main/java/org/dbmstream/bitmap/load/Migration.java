package org.dbmstream.bitmap.load;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.dbmstream.bitmap.mapping.AliasMap;

/**
 * What the destination knows about one incoming migration: its id, the {@code target} (the destination
 * VM/host whose nodes receive the bitmaps), the destination-side block-bitmap-mapping (null: aliases
 * are the node and bitmap names, as QEMU without a mapping) and the known destination nodes with their
 * disk sizes (null: nodes are implied by START; listed: chunks for other nodes cancel, as in QEMU).
 */
public record Migration(String id, String target, AliasMap mapping, Map<String, Long> nodes, boolean replace) {

    /** A migration under QEMU's rule: a START of a name taken by a completed bitmap fails ("already exists"). */
    public Migration(String id, String target, AliasMap mapping, Map<String, Long> nodes) {
        this(id, target, mapping, nodes, false);
    }

    public Migration {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(target, "target");
        nodes = nodes == null ? null : Map.copyOf(nodes);
    }

    /** A migration without mapping and without a node list: every alias is a name, every node exists. */
    public static Migration of(String id, String target) {
        return new Migration(id, target, null, null);
    }

    public Optional<AliasMap> aliasMap() {
        return Optional.ofNullable(mapping);
    }

    /** Disk size of destination node {@code node} when the node list gives it. */
    public Optional<Long> nodeSize(String node) {
        return nodes == null ? Optional.empty() : Optional.ofNullable(nodes.get(node));
    }
}
