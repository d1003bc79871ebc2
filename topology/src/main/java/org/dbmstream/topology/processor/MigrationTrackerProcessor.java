package org.dbmstream.topology.processor;

import java.util.Optional;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.dbmstream.bitmap.load.MigrationControl;
import org.dbmstream.bitmap.load.MigrationFact;
import org.dbmstream.bitmap.load.MigrationTracker;
import org.dbmstream.topology.record.Control;
import org.dbmstream.topology.store.KeyValueProgressStore;
import org.dbmstream.topology.store.StoreNames;

/**
 * Gathers the facts of each migration, re-keyed by migration id so that one task sees all of them
 * whichever partitions its bitmaps loaded on: emits MigrationCompleted when the EndOfStream manifest's
 * bitmaps all completed, MigrationCancelled/Failed once, and the control record that carries a cancel
 * or fail to every partition.
 */
public final class MigrationTrackerProcessor implements Processor<String, MigrationFact, String, Object> {
    private final CommitPacer pacer;
    private ProcessorContext<String, Object> context;
    private MigrationTracker tracker;

    /** @param eventCommitIntervalMs longest wait before asking for a commit after emitting something */
    public MigrationTrackerProcessor(long eventCommitIntervalMs) {
        this.pacer = new CommitPacer(eventCommitIntervalMs);
    }

    @Override
    public void init(ProcessorContext<String, Object> context) {
        this.context = context;
        pacer.init(context);
        this.tracker = new MigrationTracker(new KeyValueProgressStore(context.getStateStore(StoreNames.MIGRATIONS)));
    }

    @Override
    public void process(Record<String, MigrationFact> record) {
        if (record.value() == null) {
            return;
        }
        RecordOutput out = new RecordOutput(context, record);
        if (record.value() instanceof MigrationFact.BitmapDone done && done.owner() == null) {
            // (a delta changed its owner's bitmap in place: the name stays its owner's)
            // every loading partition learns the name is taken on the target, for "already exists"
            out.forward(done.migration(), new Control.BitmapTaken(done.names()));
        }
        Optional<MigrationControl> control = tracker.apply(record.value(), out::event);
        control.ifPresent(c -> out.forward(c.migration(), new Control.Stop(c)));
        if (out.forwarded()) {
            pacer.produced();
        }
    }
}
