package org.dbmstream.topology.record;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.dbmstream.bitmap.ReplicaNames;
import org.dbmstream.bitmap.load.LoadError;
import org.dbmstream.bitmap.load.Migration;
import org.dbmstream.bitmap.mapping.AliasMap;
import org.dbmstream.bitmap.mapping.AliasTransform;
import org.dbmstream.bitmap.mapping.BitmapAlias;
import org.dbmstream.bitmap.mapping.BlockBitmapMapping;
import org.dbmstream.bitmap.mapping.MappingException;
import org.dbmstream.bitmap.mapping.NodeAlias;
import org.dbmstream.schemas.BitmapMapping;
import org.dbmstream.schemas.DestinationNode;
import org.dbmstream.schemas.MigrationSpec;
import org.dbmstream.schemas.NodeMapping;

/**
 * A migration spec as the topology passes it around: target, destination mapping as QMP JSON (null:
 * none), known nodes (null: implied by START), and {@code problem}, QEMU's message when the mapping does
 * not validate, or why the target or id is refused (every chunk of such a migration fails it).
 */
public record SpecRecord(String migration, String target, String mappingJson, Map<String, Long> nodes,
        String problem, boolean replace) {

    /** A spec under QEMU's "already exists" rule. */
    public SpecRecord(String migration, String target, String mappingJson, Map<String, Long> nodes, String problem) {
        this(migration, target, mappingJson, nodes, problem, false);
    }

    public SpecRecord {
        Objects.requireNonNull(migration, "migration");
        Objects.requireNonNull(target, "target");
        nodes = nodes == null ? null : Map.copyOf(nodes);
    }

    /** From the migrations topic's Avro value; validates the mapping as QEMU does. */
    public static SpecRecord of(String migration, MigrationSpec spec) {
        Map<String, Long> nodes = null;
        if (spec.getNodes() != null) {
            nodes = new LinkedHashMap<>();
            for (DestinationNode n : spec.getNodes()) {
                nodes.put(n.getName(), n.getSize());
            }
        }
        // a target or id the replica could not be read back by fails the migration (every chunk of it)
        String badName = ReplicaNames.problem(ReplicaNames.Kind.MIGRATION_ID, migration)
                .or(() -> ReplicaNames.problem(ReplicaNames.Kind.TARGET, spec.getTarget()))
                .map(p -> LoadError.refusedName(p).message()).orElse(null);
        if (spec.getMapping() == null) {
            return new SpecRecord(migration, spec.getTarget(), null, nodes, badName, spec.getReplace());
        }
        List<NodeAlias> aliases = new ArrayList<>();
        for (NodeMapping n : spec.getMapping()) {
            List<BitmapAlias> bitmaps = new ArrayList<>();
            for (BitmapMapping b : n.getBitmaps()) {
                AliasTransform transform = b.getTransform() == null ? null
                        : new AliasTransform(b.getTransform().getPersistent());
                bitmaps.add(new BitmapAlias(b.getName(), b.getAlias(), transform));
            }
            aliases.add(new NodeAlias(n.getNodeName(), n.getAlias(), bitmaps));
        }
        BlockBitmapMapping mapping = new BlockBitmapMapping(aliases);
        String problem = badName;
        try {
            AliasMap.of(mapping);
        } catch (MappingException e) {
            problem = problem != null ? problem : e.getMessage();
        }
        return new SpecRecord(migration, spec.getTarget(), mapping.toJson(), nodes, problem, spec.getReplace());
    }

    /** The load side's view; only for a spec without {@link #problem}. */
    public Migration toMigration() {
        if (problem != null) {
            throw new IllegalStateException("migration '" + migration + "' has an invalid mapping: " + problem);
        }
        return new Migration(migration, target, mappingJson == null ? null : AliasMap.fromJson(mappingJson), nodes,
                replace);
    }
}
