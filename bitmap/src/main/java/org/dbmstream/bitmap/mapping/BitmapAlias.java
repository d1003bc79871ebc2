package org.dbmstream.bitmap.mapping;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Objects;

/**
 * QMP {@code BitmapMigrationBitmapAlias}: bitmap {@code name} on the node travels as {@code alias};
 * {@code transform} is optional (null when absent).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record BitmapAlias(String name, String alias, AliasTransform transform) {

    public BitmapAlias {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(alias, "alias");
    }

    public BitmapAlias(String name, String alias) {
        this(name, alias, null);
    }

    /** The persistent flag to use for a bitmap whose own flag is {@code own}. */
    public boolean persistentOr(boolean own) {
        return transform == null ? own : transform.persistentOr(own);
    }
}
