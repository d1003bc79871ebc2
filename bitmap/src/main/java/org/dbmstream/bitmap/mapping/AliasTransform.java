package org.dbmstream.bitmap.mapping;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * QMP {@code BitmapMigrationBitmapAliasTransform}: what to change about a bitmap as it migrates.
 * {@code persistent} null means "keep the bitmap's own flag".
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record AliasTransform(Boolean persistent) {

    /** The persistent flag to send (source) or apply (destination) instead of {@code own}. */
    public boolean persistentOr(boolean own) {
        return persistent != null ? persistent : own;
    }
}
