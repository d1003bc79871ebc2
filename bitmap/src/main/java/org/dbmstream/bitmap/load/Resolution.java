package org.dbmstream.bitmap.load;

import java.util.Optional;
import org.dbmstream.bitmap.mapping.AliasMap;
import org.dbmstream.bitmap.mapping.BitmapAlias;

/**
 * QEMU's {@code dirty_bitmap_load_header} for one chunk: node alias to node name and bitmap alias to
 * bitmap name through the migration's destination mapping (identity without one), checking the node
 * exists on the destination. Either {@link #names} or {@link #error} is set.
 */
record Resolution(BitmapNames names, BitmapAlias entry, LoadError error) {

    static Resolution of(Migration migration, String nodeAlias, String bitmapAlias) {
        if (nodeAlias.isEmpty()) {
            return failed(LoadError.nameNotSet());
        }
        Optional<AliasMap> mapping = migration.aliasMap();
        String node;
        if (mapping.isPresent()) {
            Optional<String> mapped = mapping.get().nodeNameOf(nodeAlias);
            if (mapped.isEmpty()) {
                return failed(LoadError.unknownNodeAlias(nodeAlias));
            }
            node = mapped.get();
            if (migration.nodes() != null && !migration.nodes().containsKey(node)) {
                // QEMU looks a mapped node up by node name only: bdrv_lookup_bs(NULL, name)
                return failed(LoadError.noSuchNode("", node));
            }
        } else {
            node = nodeAlias;
            if (migration.nodes() != null && !migration.nodes().containsKey(node)) {
                return failed(LoadError.noSuchNode(nodeAlias, nodeAlias));
            }
        }
        if (bitmapAlias.isEmpty()) {
            return failed(LoadError.nameNotSet());
        }
        String bitmap = bitmapAlias;
        BitmapAlias entry = null;
        if (mapping.isPresent()) {
            Optional<BitmapAlias> mapped = mapping.get().bitmapByAlias(nodeAlias, bitmapAlias);
            if (mapped.isEmpty()) {
                return failed(LoadError.unknownBitmapAlias(bitmapAlias, node, nodeAlias));
            }
            entry = mapped.get();
            bitmap = entry.name();
        }
        return new Resolution(new BitmapNames(migration.id(), migration.target(), node, nodeAlias, bitmap,
                bitmapAlias), entry, null);
    }

    private static Resolution failed(LoadError error) {
        return new Resolution(null, null, error);
    }

    boolean ok() {
        return error == null;
    }
}
