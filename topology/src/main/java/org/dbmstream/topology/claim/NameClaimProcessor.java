package org.dbmstream.topology.claim;

import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.dbmstream.bitmap.load.LoadError;
import org.dbmstream.bitmap.load.LoadEvent;
import org.dbmstream.bitmap.load.MigrationFact;
import org.dbmstream.topology.processor.CommitPacer;
import org.dbmstream.topology.record.Control;
import org.dbmstream.topology.record.EventRecords;
import org.dbmstream.topology.store.StoreNames;

/**
 * Decides the claims of bitmap names, re-keyed by (target, node, bitmap). The winner's completion is
 * reported here (BitmapCompleted, and the fact its migration's tracker counts); a loser's migration fails
 * with QEMU's "already exists" and its bitmap is revoked where it loaded. This closes the race of two
 * migrations completing one name on different partitions before either learns of the other.
 */
public final class NameClaimProcessor implements Processor<String, ClaimRequest, String, Object> {
    private final CommitPacer pacer;
    private ProcessorContext<String, Object> context;
    private BitmapClaims claims;

    /** @param eventCommitIntervalMs longest wait before asking for a commit after emitting something */
    public NameClaimProcessor(long eventCommitIntervalMs) {
        this.pacer = new CommitPacer(eventCommitIntervalMs);
    }

    @Override
    public void init(ProcessorContext<String, Object> context) {
        this.context = context;
        pacer.init(context);
        this.claims = new BitmapClaims(context.getStateStore(StoreNames.CLAIMS));
    }

    @Override
    public void process(Record<String, ClaimRequest> record) {
        if (record.value() == null) {
            return;
        }
        ClaimRequest request = record.value();
        if (request.isUpdate()) {
            // reported unless another migration holds the name (then this bitmap is being revoked)
            LoadEvent.BitmapUpdated update = request.update();
            String migration = update.names().migration();
            if (claims.holder(update.names()).filter(h -> !h.equals(migration)).isEmpty()) {
                forward(record, migration, EventRecords.toAvro(update, context.currentSystemTimeMs()));
                pacer.produced();
            }
            return;
        }
        if (request.isRelease()) {
            claims.release(request.names());
            return;
        }
        LoadEvent.BitmapCompleted done = request.completed();
        String migration = done.names().migration();
        if (done.version().owner() != null) {
            // a delta, applied in place to its owner's bitmap in the loading task: the name stays the owner's
            forward(record, migration, EventRecords.toAvro(done, context.currentSystemTimeMs()));
            forward(record, migration, new MigrationFact.BitmapDone(done.names(), done.version().owner()));
            pacer.produced();
            return;
        }
        if (request.replace()) {
            // re-replication: the new bitmap takes the name; the old one is released where it is held
            claims.grant(done.names());
        }
        if (claims.claim(done.names()).isEmpty()) {
            forward(record, migration, EventRecords.toAvro(done, context.currentSystemTimeMs()));
            forward(record, migration, new MigrationFact.BitmapDone(done.names()));
        } else {
            LoadError error = LoadError.alreadyExists(done.names().bitmap());
            forward(record, migration, new Control.Revoke(done.names(), error.message()));
            forward(record, migration, new MigrationFact.Stopped(migration, done.names().target(), error));
        }
        pacer.produced();
    }

    private void forward(Record<String, ClaimRequest> input, String key, Object value) {
        context.forward(new Record<>(key, value, input.timestamp(), input.headers()));
    }
}
