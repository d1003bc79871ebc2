package org.dbmstream.topology;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.streams.StreamsConfig;
import org.dbmstream.bitmap.chunk.Chunk;
import org.dbmstream.schemas.BitmapUpdated;
import org.dbmstream.schemas.Event;
import org.dbmstream.schemas.SwitchedOver;
import org.dbmstream.testkit.PostcopyFixture;
import org.dbmstream.testkit.CapturedLogs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * QEMU's postcopy on the destination topology, against QEMU's own final sha256/count of the real
 * postcopy migration pc1: whichever way the writes, the remaining chunks and the switchover interleave,
 * every bitmap ends as on QEMU's destination.
 */
class PostcopyTopologyTest {
    private static final PostcopyFixture PC1 = PostcopyFixture.load("pc1");

    private static void writes(DestinationDriver d) {
        PC1.writes().forEach(w -> d.write("vm1", w.node(), w.offset(), w.length()));
    }

    private static Map<String, List<Object>> finals(DestinationDriver d) {
        return PostcopyChunks.finalStates(d.events());
    }

    @Test
    void writesRightAfterTheSwitchoverLandInTheSuccessors() throws Exception {
        PostcopyChunks pc = PostcopyChunks.of(PC1);
        try (DestinationDriver d = new DestinationDriver()) {
            d.spec("m1", "vm1");
            d.chunks("m1", pc.beforeRun());
            d.chunk("m1", new Chunk.Switchover());
            writes(d);
            d.chunks("m1", pc.afterRun());
            assertThat(finals(d)).isEqualTo(PostcopyChunks.expected(PC1));
            assertThat(EventsView.types(d.events())).containsOnlyOnce("SwitchedOver", "MigrationCompleted")
                    .doesNotContain("BitmapUpdated");
        }
    }

    static List<String> fixtures() {
        return PostcopyFixture.names();
    }

    @ParameterizedTest
    @MethodSource("fixtures")
    void everyFixtureEndsAsOnQemusDestinationWithWritesBeforeAndAfterTheRemainingChunks(String name)
            throws Exception {
        PostcopyFixture fixture = PostcopyFixture.load(name);
        PostcopyChunks pc = PostcopyChunks.of(fixture);
        List<PostcopyFixture.Write> writes = fixture.writes();
        try (DestinationDriver d = new DestinationDriver()) {
            d.migrations(name, "vm1", PostcopyChunks.mapping(fixture));
            d.chunks(name, pc.beforeRun());
            writes.subList(0, 1).forEach(w -> d.write(name, "vm1", w.node(), w.offset(), w.length()));
            d.chunk(name, new Chunk.Switchover());
            writes.subList(1, 2).forEach(w -> d.write(name, "vm1", w.node(), w.offset(), w.length()));
            d.chunks(name, pc.afterRun());
            writes.subList(2, writes.size()).forEach(w -> d.write(name, "vm1", w.node(), w.offset(), w.length()));
            assertThat(finals(d)).isEqualTo(PostcopyChunks.expected(fixture));
        }
    }

    @Test
    void writesBetweenTheRemainingChunks() throws Exception {
        PostcopyChunks pc = PostcopyChunks.of(PC1);
        int half = pc.afterRun().size() / 2;
        try (DestinationDriver d = new DestinationDriver()) {
            d.spec("m1", "vm1");
            d.chunks("m1", pc.beforeRun());
            d.chunk("m1", new Chunk.Switchover());
            d.chunks("m1", pc.afterRun().subList(0, half));
            writes(d);
            d.chunks("m1", pc.afterRun().subList(half, pc.afterRun().size()));
            assertThat(finals(d)).isEqualTo(PostcopyChunks.expected(PC1));
        }
    }

    @Test
    void writesAfterTheRemainingChunksLandInTheEnabledBitmap() throws Exception {
        PostcopyChunks pc = PostcopyChunks.of(PC1);
        try (DestinationDriver d = new DestinationDriver()) {
            d.spec("m1", "vm1");
            d.chunks("m1", pc.beforeRun());
            d.chunk("m1", new Chunk.Switchover());
            d.chunks("m1", pc.afterRun());
            writes(d);
            assertThat(finals(d)).isEqualTo(PostcopyChunks.expected(PC1));
            // pe changed by each write, pd (disabled) never
            assertThat(EventsView.of(d.events(), BitmapUpdated.class)).extracting(Event::getBitmap)
                    .containsExactly("pe", "pe", "pe");
        }
    }

    @Test
    void writesThatArriveBeforeTheSwitchoverAreHeldUntilIt() throws Exception {
        PostcopyChunks pc = PostcopyChunks.of(PC1);
        try (DestinationDriver d = new DestinationDriver()) {
            d.spec("m1", "vm1");
            d.chunks("m1", pc.beforeRun());
            // the switchover reaches this partition through another one: here the writes come first
            writes(d);
            d.chunk("m1", new Chunk.Switchover());
            d.chunks("m1", pc.afterRun());
            assertThat(finals(d)).isEqualTo(PostcopyChunks.expected(PC1));
            assertThat(d.metric("dropped-writes-total")).isZero();
        }
    }

    @Test
    void writesNamingTheirMigrationAreHeldEvenBeforeItsSpecArrives() throws Exception {
        PostcopyChunks pc = PostcopyChunks.of(PC1);
        try (DestinationDriver d = new DestinationDriver()) {
            PC1.writes().forEach(w -> d.write("m1", "vm1", w.node(), w.offset(), w.length()));
            d.spec("m1", "vm1");
            d.chunks("m1", pc.beforeRun());
            d.chunk("m1", new Chunk.Switchover());
            d.chunks("m1", pc.afterRun());
            assertThat(finals(d)).isEqualTo(PostcopyChunks.expected(PC1));
            assertThat(d.metric("dropped-writes-total")).isZero();
        }
    }

    @Test
    void switchoverAfterCompleteEnablesTheCompletedBitmapThenItRecords() throws Exception {
        PostcopyChunks pc = PostcopyChunks.of(PC1);
        try (DestinationDriver d = new DestinationDriver()) {
            d.spec("m1", "vm1");
            d.chunks("m1", pc.beforeRun());
            d.chunks("m1", pc.afterRun());
            d.chunk("m1", new Chunk.Switchover());
            List<Event> atSwitchover = d.events();
            assertThat(EventsView.bodies(atSwitchover, BitmapUpdated.class)).singleElement()
                    .satisfies(u -> assertThat(u.getRecording()).isTrue());
            writes(d);
            assertThat(finals(d)).isEqualTo(PostcopyChunks.expected(PC1));
        }
    }

    @Test
    void withoutASwitchoverWritesChangeNothingAndAreHeldNotApplied() throws Exception {
        PostcopyChunks pc = PostcopyChunks.of(PC1);
        try (DestinationDriver d = new DestinationDriver()) {
            d.spec("m1", "vm1");
            d.chunks("m1", pc.beforeRun());
            d.chunks("m1", pc.afterRun());
            writes(d);
            Map<String, List<Object>> finals = finals(d);
            for (PostcopyFixture.Bitmap b : PC1.source()) {
                assertThat(finals.get(b.name())).as("%s as migrated", b.name()).containsExactly(b.sha256(), b.count());
            }
            assertThat(EventsView.bodies(d.events(), SwitchedOver.class)).isEmpty();
        }
    }

    @Test
    void writesForANodeNobodyRecordsAreCountedAndDropped() throws Exception {
        PostcopyChunks pc = PostcopyChunks.of(PC1);
        try (DestinationDriver d = new DestinationDriver()) {
            d.spec("m1", "vm1");
            d.chunks("m1", pc.beforeRun());
            d.chunk("m1", new Chunk.Switchover());
            d.chunks("m1", pc.afterRun());
            d.write("vm1", "disk9", 0, 512);
            d.write("vm2", "disk0", 0, 512);
            assertThat(d.metric("dropped-writes-total")).isEqualTo(2.0);
            assertThat(finals(d)).doesNotContainValue(List.of());
            assertThat(EventsView.of(d.events(), BitmapUpdated.class)).isEmpty();
        }
    }

    @Test
    void anUndecodableWriteGoesToTheDeadLetterQueueAndTheNextOneStillLands() throws Exception {
        PostcopyChunks pc = PostcopyChunks.of(PC1);
        // TopologyTestDriver hands out the dead letters of the deserialization handler at least once only
        try (CapturedLogs logs = DeadLetterLogs.capture();
                DestinationDriver d = new DestinationDriver(StreamsConfig.AT_LEAST_ONCE)) {
            d.spec("m1", "vm1");
            d.chunks("m1", pc.beforeRun());
            d.chunk("m1", new Chunk.Switchover());
            d.chunks("m1", pc.afterRun());
            d.rawWrite(new byte[] {1, 2, 3});
            writes(d);
            assertThat(d.deadLetters()).singleElement().satisfies(r -> {
                assertThat(r.value()).containsExactly(1, 2, 3);
                assertThat(r.headers().toArray()).extracting(Header::key).anyMatch(k -> k.contains("exception"));
            });
            assertThat(finals(d)).isEqualTo(PostcopyChunks.expected(PC1));
            // the writes topic is keyed by target/node, not by a migration: the line names none
            assertThat(DeadLetterLogs.lines(logs)).singleElement().asString().startsWith("Record dbm.writes-0@0 of ")
                    .contains("sent to the dead-letter topic dbm.dlq").contains("cannot decode 3-byte DestinationWrite");
        }
    }

    @Test
    void aSwitchoverPublishedTwiceAppliesOnce() throws Exception {
        PostcopyChunks pc = PostcopyChunks.of(PC1);
        try (DestinationDriver d = new DestinationDriver()) {
            d.spec("m1", "vm1");
            d.chunks("m1", pc.beforeRun());
            // the switchover shares the migration-wide key with the EOS chunks: its sequence number follows theirs
            long seq = pc.beforeRun().stream().filter(c -> c instanceof Chunk.EndOfStream).count();
            d.chunk("m1", new Chunk.Switchover());
            d.chunk("m1", new Chunk.Switchover(), "test-source", seq);
            d.chunks("m1", pc.afterRun());
            writes(d);
            assertThat(EventsView.types(d.events())).containsOnlyOnce("SwitchedOver");
            assertThat(finals(d)).isEqualTo(PostcopyChunks.expected(PC1));
        }
    }
}
