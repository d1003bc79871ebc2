package org.dbmstream.source;

import java.util.List;
import java.util.Map;
import org.dbmstream.bitmap.mapping.BitmapAlias;
import org.dbmstream.bitmap.mapping.BlockBitmapMapping;
import org.dbmstream.bitmap.mapping.NodeAlias;
import org.dbmstream.schemas.BitmapMapping;
import org.dbmstream.schemas.BitmapTransform;
import org.dbmstream.schemas.DestinationNode;
import org.dbmstream.schemas.MigrationSpec;
import org.dbmstream.schemas.NodeMapping;

/** Builds the migration spec record (value of the compacted {@code migrations} topic). */
public final class MigrationSpecs {
    private MigrationSpecs() {
    }

    /**
     * The spec of {@code migration}: its target, the destination-side mapping (null: none) and the known
     * destination nodes with sizes (null: implied by START).
     */
    public static MigrationSpec of(String migration, String target, BlockBitmapMapping destinationMapping,
            Map<String, Long> destinationNodes, long timeMillis) {
        List<NodeMapping> mapping = destinationMapping == null ? null
                : destinationMapping.nodes().stream().map(MigrationSpecs::node).toList();
        List<DestinationNode> nodes = destinationNodes == null ? null
                : destinationNodes.entrySet().stream().map(e -> new DestinationNode(e.getKey(), e.getValue())).toList();
        return MigrationSpec.newBuilder()
                .setMigration(migration)
                .setTarget(target)
                .setMapping(mapping)
                .setNodes(nodes)
                .setTime(java.time.Instant.ofEpochMilli(timeMillis))
                .build();
    }

    /** The spec a {@link MigrationRequest} asks for. */
    public static MigrationSpec of(MigrationRequest request, long timeMillis) {
        MigrationSpec spec = of(request.migrationId(), request.target(), request.destinationMapping(),
                request.destinationNodes(), timeMillis);
        spec.setReplace(request.replace());
        return spec;
    }

    private static NodeMapping node(NodeAlias n) {
        return new NodeMapping(n.nodeName(), n.alias(), n.bitmaps().stream().map(MigrationSpecs::bitmap).toList());
    }

    private static BitmapMapping bitmap(BitmapAlias b) {
        BitmapTransform t = b.transform() == null ? null : new BitmapTransform(b.transform().persistent());
        return new BitmapMapping(b.name(), b.alias(), t);
    }
}
