package org.dbmstream.topology.processor;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.dbmstream.schemas.MigrationSpec;
import org.dbmstream.topology.record.Control;
import org.junit.jupiter.api.Test;

/** A spec becomes a control record and asks for a commit at once, so loading tasks see it without delay. */
class SpecBroadcastProcessorTest {

    @Test
    void aSpecIsForwardedAsControlAndCommitsAtOnce() {
        final MockProcessorContext<String, Control> context = new MockProcessorContext<>();
        final SpecBroadcastProcessor processor = new SpecBroadcastProcessor();
        processor.init(context);

        processor.process(new Record<>("mig-1", new MigrationSpec("mig-1", "vm-b", null, null, Instant.EPOCH, false), 42L));

        final List<MockProcessorContext.CapturedForward<? extends String, ? extends Control>> out = context.forwarded();
        assertThat(out).hasSize(1);
        assertThat(out.get(0).record().key()).isEqualTo("mig-1");
        assertThat(out.get(0).record().timestamp()).isEqualTo(42L);
        assertThat(out.get(0).record().value()).isInstanceOfSatisfying(Control.Spec.class, spec -> {
            assertThat(spec.spec().migration()).isEqualTo("mig-1");
            assertThat(spec.spec().target()).isEqualTo("vm-b");
        });
        assertThat(context.committed()).isTrue();
    }

    @Test
    void aTombstoneRemovesTheSpecAndANullKeyIsDropped() {
        final MockProcessorContext<String, Control> context = new MockProcessorContext<>();
        final SpecBroadcastProcessor processor = new SpecBroadcastProcessor();
        processor.init(context);

        processor.process(new Record<>(null, new MigrationSpec("x", "t", null, null, Instant.EPOCH, false), 1L));
        assertThat(context.forwarded()).isEmpty();
        assertThat(context.committed()).isFalse();

        processor.process(new Record<String, MigrationSpec>("mig-2", null, 2L));
        assertThat(context.forwarded()).singleElement()
                .satisfies(f -> assertThat(f.record().value()).isEqualTo(new Control.SpecRemoved("mig-2")));
        assertThat(context.committed()).isTrue();
    }
}
