package org.dbmstream.topology.record;

import org.dbmstream.schemas.DestinationWrite;

/** Converts the writes topic's records to the control records every loading partition receives. */
public final class WriteRecords {
    private WriteRecords() {
    }

    /** The control record of a destination write, or of a write barrier. */
    public static Control control(DestinationWrite write) {
        if (write.getBarrier() != null) {
            return new Control.Barrier(write.getMigration() == null ? "" : write.getMigration(), write.getTarget(),
                    write.getBarrier());
        }
        return new Control.Write(write.getMigration(), write.getTarget(), write.getNode(), write.getOffset(),
                write.getLength());
    }
}
