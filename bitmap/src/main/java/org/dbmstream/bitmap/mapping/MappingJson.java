package org.dbmstream.bitmap.mapping;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * Reads a {@code block-bitmap-mapping} JSON tree strictly, the way QMP's input visitor does: every
 * required member present, no unknown member, right types, with QMP's messages naming the full path
 * (e.g. {@code block-bitmap-mapping[0].bitmaps[1].alias}).
 */
final class MappingJson {
    private static final String ROOT = "block-bitmap-mapping";

    private MappingJson() {
    }

    static BlockBitmapMapping read(JsonNode tree) {
        List<NodeAlias> nodes = new ArrayList<>();
        int i = 0;
        for (JsonNode n : array(tree, ROOT)) {
            nodes.add(node(n, ROOT + "[" + i++ + "]"));
        }
        return new BlockBitmapMapping(nodes);
    }

    private static NodeAlias node(JsonNode n, String path) {
        object(n, path, Set.of("node-name", "alias", "bitmaps"));
        String nodeName = string(n, path, "node-name");
        String alias = string(n, path, "alias");
        List<BitmapAlias> bitmaps = new ArrayList<>();
        int i = 0;
        for (JsonNode b : array(required(n, path, "bitmaps"), path + ".bitmaps")) {
            bitmaps.add(bitmap(b, path + ".bitmaps[" + i++ + "]"));
        }
        return new NodeAlias(nodeName, alias, bitmaps);
    }

    private static BitmapAlias bitmap(JsonNode b, String path) {
        object(b, path, Set.of("name", "alias", "transform"));
        String name = string(b, path, "name");
        String alias = string(b, path, "alias");
        AliasTransform transform = null;
        JsonNode t = b.get("transform");
        if (t != null) {
            String tpath = path + ".transform";
            object(t, tpath, Set.of("persistent"));
            JsonNode p = t.get("persistent");
            Boolean persistent = null;
            if (p != null) {
                if (!p.isBoolean()) {
                    throw typeError(tpath + ".persistent", "boolean");
                }
                persistent = p.booleanValue();
            }
            transform = new AliasTransform(persistent);
        }
        return new BitmapAlias(name, alias, transform);
    }

    private static Iterable<JsonNode> array(JsonNode n, String path) {
        if (n == null || !n.isArray()) {
            throw typeError(path, "array");
        }
        return n;
    }

    private static void object(JsonNode n, String path, Set<String> members) {
        if (!n.isObject()) {
            throw typeError(path, "object");
        }
        for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!members.contains(f)) {
                throw new MappingException("Parameter '" + path + "." + f + "' is unexpected");
            }
        }
    }

    private static JsonNode required(JsonNode n, String path, String member) {
        JsonNode v = n.get(member);
        if (v == null) {
            throw new MappingException("Parameter '" + path + "." + member + "' is missing");
        }
        return v;
    }

    private static String string(JsonNode n, String path, String member) {
        JsonNode v = required(n, path, member);
        if (!v.isTextual()) {
            throw typeError(path + "." + member, "string");
        }
        return v.textValue();
    }

    private static MappingException typeError(String path, String expected) {
        return new MappingException("Invalid parameter type for '" + path + "', expected: " + expected);
    }
}
