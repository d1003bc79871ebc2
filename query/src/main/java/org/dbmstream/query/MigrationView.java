package org.dbmstream.query;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.Comparator;
import org.dbmstream.bitmap.load.MigrationProgress;

/**
 * One migration as {@code GET /v1/migrations} shows it: its status as the destination's tracker keeps it
 * ({@code active}, {@code completed}, {@code cancelled}, {@code failed}), the reason of a cancel or failure, and its
 * progress in bitmaps: {@code bitmaps} is the size of the source's EndOfStream manifest (null until it arrived) and
 * {@code bitmapsDone} how many of them completed.
 */
@JsonPropertyOrder({"migration", "target", "status", "reason", "bitmaps", "bitmapsDone"})
@JsonInclude(JsonInclude.Include.ALWAYS)
public record MigrationView(String migration, String target, String status, String reason, Integer bitmaps,
        int bitmapsDone) {

    /** Lists order: active first, then failed, cancelled, completed; by id within each. */
    static final Comparator<MigrationView> ORDER = Comparator.comparingInt(MigrationView::rank)
            .thenComparing(MigrationView::migration);

    static MigrationView of(MigrationProgress p) {
        return new MigrationView(p.migration(), p.target(), p.status().name().toLowerCase(), p.reason(),
                p.hasManifest() ? p.manifestSize() : null, p.manifestDone());
    }

    private int rank() {
        return switch (status) {
            case "active" -> 0;
            case "failed" -> 1;
            case "cancelled" -> 2;
            default -> 3;
        };
    }
}
