package org.dbmstream.bitmap.mapping;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Objects;

/** QMP {@code BitmapMigrationNodeAlias}: node {@code node-name} travels as {@code alias}, with its bitmaps. */
public record NodeAlias(@JsonProperty("node-name") String nodeName, String alias, List<BitmapAlias> bitmaps) {

    public NodeAlias {
        Objects.requireNonNull(nodeName, "nodeName");
        Objects.requireNonNull(alias, "alias");
        bitmaps = List.copyOf(bitmaps);
    }
}
