package org.dbmstream.export;

import com.fasterxml.jackson.databind.JsonNode;

/** One bitmap of a replica as the destination's query API describes it (DESIGN.md section 9). */
public record ReplicaBitmap(String target, String node, String name, long granularity, long size, boolean enabled,
        boolean persistent, String state, String sha256, long count) {

    /** The fields every bitmap object of the API has. */
    static final String[] FIELDS = {"target", "node", "name", "granularity", "size", "enabled", "persistent", "state"};

    /** From the API's JSON object of one bitmap. */
    public static ReplicaBitmap of(final JsonNode n) {
        return new ReplicaBitmap(n.path("target").asText(), n.path("node").asText(), n.path("name").asText(),
                n.path("granularity").asLong(), n.path("size").asLong(), n.path("enabled").asBoolean(),
                n.path("persistent").asBoolean(), n.path("state").asText(), n.path("sha256").asText(null),
                n.path("count").asLong());
    }

    /** Whether the bitmap has finished loading (only complete bitmaps are exported). */
    public boolean complete() {
        return "complete".equals(state);
    }
}
