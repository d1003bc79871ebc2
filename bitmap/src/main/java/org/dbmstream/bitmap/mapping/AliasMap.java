package org.dbmstream.bitmap.mapping;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.dbmstream.bitmap.QemuConstants;
import org.dbmstream.bitmap.QemuNames;

/**
 * A validated {@code block-bitmap-mapping}, looked up in both directions: on the source, node name to
 * node alias and (node name, bitmap name) to the bitmap's entry; on the destination, node alias to node
 * name and (node alias, bitmap alias) to the bitmap's entry. Validation is QEMU's
 * {@code check_dirty_bitmap_mig_alias_map}: the whole list in the source direction first, then in the
 * destination direction, failing on the first problem with QEMU's message.
 */
public final class AliasMap {
    private final BlockBitmapMapping mapping;
    private final Map<String, Inner> outgoing;
    private final Map<String, Inner> incoming;

    private AliasMap(BlockBitmapMapping mapping) {
        this.mapping = mapping;
        this.outgoing = construct(mapping, true);
        this.incoming = construct(mapping, false);
    }

    /** Validates {@code mapping} in both directions; throws {@link MappingException} with QEMU's message. */
    public static AliasMap of(BlockBitmapMapping mapping) {
        return new AliasMap(mapping);
    }

    /** Parses and validates a mapping given as QMP JSON. */
    public static AliasMap fromJson(String json) {
        return of(BlockBitmapMapping.fromJson(json));
    }

    public BlockBitmapMapping mapping() {
        return mapping;
    }

    /** Source side: the alias node {@code nodeName} travels as, empty if the node is not mapped. */
    public Optional<String> nodeAliasOf(String nodeName) {
        return Optional.ofNullable(outgoing.get(nodeName)).map(Inner::to);
    }

    /** Source side: the entry of bitmap {@code bitmapName} on node {@code nodeName}, empty if unmapped. */
    public Optional<BitmapAlias> bitmapOf(String nodeName, String bitmapName) {
        return Optional.ofNullable(outgoing.get(nodeName)).map(n -> n.bitmaps().get(bitmapName));
    }

    /** Destination side: the node name for {@code nodeAlias}, empty if the alias is unknown. */
    public Optional<String> nodeNameOf(String nodeAlias) {
        return Optional.ofNullable(incoming.get(nodeAlias)).map(Inner::to);
    }

    /** Destination side: the entry of bitmap alias {@code bitmapAlias} under node alias {@code nodeAlias}. */
    public Optional<BitmapAlias> bitmapByAlias(String nodeAlias, String bitmapAlias) {
        return Optional.ofNullable(incoming.get(nodeAlias)).map(n -> n.bitmaps().get(bitmapAlias));
    }

    /** QEMU's {@code construct_alias_map}: keys are names ({@code nameToAlias}) or aliases. */
    private static Map<String, Inner> construct(BlockBitmapMapping mapping, boolean nameToAlias) {
        Map<String, Inner> map = new HashMap<>();
        for (NodeAlias node : mapping.nodes()) {
            if (!QemuNames.isWellFormedId(node.alias())) {
                throw fail("The node alias '%s' is not well-formed", node.alias());
            }
            if (QemuNames.byteLength(node.alias()) > QemuConstants.MAX_ALIAS_BYTES) {
                throw fail("The node alias '%s' is longer than %d bytes", node.alias(), QemuConstants.MAX_ALIAS_BYTES);
            }
            if (QemuNames.byteLength(node.nodeName()) > QemuConstants.MAX_NODE_NAME_BYTES) {
                throw fail("The node name '%s' is longer than %d bytes", node.nodeName(),
                        QemuConstants.MAX_NODE_NAME_BYTES);
            }
            String from = nameToAlias ? node.nodeName() : node.alias();
            if (map.containsKey(from)) {
                throw nameToAlias ? fail("The node name '%s' is mapped twice", from)
                        : fail("The node alias '%s' is used twice", from);
            }
            Map<String, BitmapAlias> bitmaps = new HashMap<>();
            map.put(from, new Inner(nameToAlias ? node.alias() : node.nodeName(), bitmaps));
            for (BitmapAlias b : node.bitmaps()) {
                if (QemuNames.byteLength(b.alias()) > QemuConstants.MAX_ALIAS_BYTES) {
                    throw fail("The bitmap alias '%s' is longer than %d bytes", b.alias(),
                            QemuConstants.MAX_ALIAS_BYTES);
                }
                if (QemuNames.byteLength(b.name()) > QemuConstants.MAX_BITMAP_NAME_BYTES) {
                    throw fail("The bitmap name '%s' is longer than %d bytes", b.name(),
                            QemuConstants.MAX_BITMAP_NAME_BYTES);
                }
                String bfrom = nameToAlias ? b.name() : b.alias();
                if (bitmaps.containsKey(bfrom)) {
                    throw nameToAlias ? fail("The bitmap '%s'/'%s' is mapped twice", node.nodeName(), bfrom)
                            : fail("The bitmap alias '%s'/'%s' is used twice", node.alias(), bfrom);
                }
                bitmaps.put(bfrom, b);
            }
        }
        return Map.copyOf(map);
    }

    private static MappingException fail(String format, Object... args) {
        return new MappingException(String.format(format, args));
    }

    /** QEMU's AliasMapInnerNode: the other side's node string and the node's bitmap table. */
    private record Inner(String to, Map<String, BitmapAlias> bitmaps) {
    }
}
