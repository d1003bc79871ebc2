package org.dbmstream.bitmap.load;

/** What a load error does to the migration (DESIGN.md section 4). */
public enum Consequence {
    /** Drop every unfinished bitmap of the migration and ignore its later chunks. */
    CANCEL,
    /** The same, and the migration ends as failed. */
    FAIL
}
