package org.dbmstream.bitmap.source;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.dbmstream.bitmap.QemuConstants;
import org.dbmstream.bitmap.QemuNames;
import org.dbmstream.bitmap.mapping.AliasMap;
import org.dbmstream.bitmap.mapping.BitmapAlias;

/**
 * QEMU's source-side choice of bitmaps to migrate ({@code add_bitmaps_to_list}), node by node in the
 * given order: only named bitmaps; nodes without any are passed over. A node with named bitmaps but no
 * name, or whose alias is auto-generated ({@code #...}), is an error. With a mapping, nodes and bitmaps
 * it does not list are skipped silently; without one, a bitmap name longer than 255 bytes is an error.
 * A busy or inconsistent bitmap is an error even if the mapping would skip it (QEMU checks first).
 */
public final class BitmapSelector {
    private BitmapSelector() {
    }

    /** Selection without a {@code block-bitmap-mapping}: names travel as themselves. */
    public static List<SelectedBitmap> select(List<NodeCandidate> nodes) {
        return select(nodes, null);
    }

    /** Selection with {@code mapping}, or without one when it is null. */
    public static List<SelectedBitmap> select(List<NodeCandidate> nodes, AliasMap mapping) {
        List<SelectedBitmap> out = new ArrayList<>();
        for (NodeCandidate node : nodes) {
            addNode(node, mapping, out);
        }
        return out;
    }

    private static void addNode(NodeCandidate node, AliasMap mapping, List<SelectedBitmap> out) {
        Optional<BitmapCandidate> firstNamed = node.bitmaps().stream().filter(BitmapCandidate::named).findFirst();
        if (firstNamed.isEmpty()) {
            return;
        }
        String nodeName = node.name();
        if (nodeName == null || nodeName.isEmpty()) {
            throw new SelectionException(
                    "Bitmap '" + firstNamed.get().name() + "' in unnamed node can't be migrated");
        }
        String nodeAlias;
        if (mapping != null) {
            Optional<String> alias = mapping.nodeAliasOf(nodeName);
            if (alias.isEmpty()) {
                return;
            }
            nodeAlias = alias.get();
        } else {
            nodeAlias = nodeName;
        }
        if (nodeAlias.startsWith("#")) {
            throw new SelectionException("Bitmap '" + firstNamed.get().name()
                    + "' in a node with auto-generated name '" + nodeAlias + "' can't be migrated");
        }
        for (BitmapCandidate b : node.bitmaps()) {
            if (!b.named()) {
                continue;
            }
            checkUsable(b);
            String bitmapAlias;
            boolean persistent = b.persistent();
            if (mapping != null) {
                Optional<BitmapAlias> entry = mapping.bitmapOf(nodeName, b.name());
                if (entry.isEmpty()) {
                    continue;
                }
                bitmapAlias = entry.get().alias();
                persistent = entry.get().persistentOr(persistent);
            } else {
                if (QemuNames.byteLength(b.name()) > QemuConstants.MAX_ALIAS_BYTES) {
                    throw new SelectionException("Cannot migrate bitmap '" + b.name() + "' on node '" + nodeName
                            + "': Name is longer than " + QemuConstants.MAX_ALIAS_BYTES + " bytes");
                }
                bitmapAlias = b.name();
            }
            out.add(new SelectedBitmap(nodeName, b.name(), nodeAlias, bitmapAlias, b.granularity(), b.enabled(),
                    persistent));
        }
    }

    /** QEMU's {@code bdrv_dirty_bitmap_check(bitmap, BDRV_BITMAP_DEFAULT)}, busy before inconsistent. */
    private static void checkUsable(BitmapCandidate b) {
        if (b.busy()) {
            throw new SelectionException("Bitmap '" + b.name()
                    + "' is currently in use by another operation and cannot be used");
        }
        if (b.inconsistent()) {
            throw new SelectionException("Bitmap '" + b.name() + "' is inconsistent and cannot be used");
        }
    }
}
