package org.dbmstream.cli.chaos;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the destinations' replica must hold once a chaos run settled: every bitmap of every migration that
 * completed, under its destination names, with the generator's sha256 and count (QEMU's definitions).
 */
final class Replica {
    /** A bitmap as the query API names it, with its expected sha256 and count. */
    record Bitmap(String target, String node, String name, String sha256, long count) {
        /** The API path of its metadata, percent-encoded. */
        String path() {
            return "/v1/targets/" + segment(target) + "/bitmaps/" + segment(node) + "/" + segment(name);
        }
    }

    /** One percent-encoded path segment, as the query API takes names (UTF-8, a space is %20). */
    static String segment(String s) {
        return java.net.URLEncoder.encode(s, java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20");
    }

    private final Map<String, Bitmap> byPath;

    private Replica(Map<String, Bitmap> byPath) {
        this.byPath = byPath;
    }

    static Replica of(List<PlannedMigration> plan, ChaosTally tally) {
        Map<String, Bitmap> m = new LinkedHashMap<>();
        for (PlannedMigration p : plan) {
            if (tally.completed(p.id())) {
                for (PlannedMigration.Bitmap b : p.bitmaps()) {
                    Bitmap r = new Bitmap(p.request().target(), b.node(), b.name(), b.sha256(), b.count());
                    m.put(r.path(), r);
                }
            }
        }
        return new Replica(m);
    }

    List<Bitmap> bitmaps() {
        return new ArrayList<>(byPath.values());
    }

    /** The bitmap at an API path, or null when the replica must not hold it. */
    Bitmap at(String path) {
        return byPath.get(path);
    }
}
