package org.dbmstream.source;

import java.util.List;

/** Reads the persistent bitmaps of a qcow2 image as selection candidates with their bits. */
final class Qcow2Inputs {
    private Qcow2Inputs() {
    }

    static void add(MigrationInput.Qcow2Image image, MigrationPlanner.Nodes nodes, List<AutoCloseable> opened) {
        throw new UnsupportedOperationException("pending dbm-qcow2");
    }
}
