package org.dbmstream.source.sync;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.dbmstream.bitmap.DirtyBitmap;
import org.dbmstream.bitmap.Granularity;
import org.dbmstream.bitmap.chunk.ChunkSize;
import org.dbmstream.broker.KafkaBroker;
import org.dbmstream.broker.testing.KafkaBrokerExtension;
import org.dbmstream.serdes.DbmSerdes;
import org.dbmstream.serdes.Topics;
import org.dbmstream.source.MigrationInput;
import org.dbmstream.source.MigrationRequest;
import org.dbmstream.source.SyncTestDestination;
import org.dbmstream.topology.DestinationApp;
import org.dbmstream.topology.store.StoredBitmaps;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rounds of a sync against the real destination topology: new bitmaps go whole, unchanged ones publish
 * nothing, a changed one goes as a delta of its changed chunks, a bitmap gone at the source is removed, a
 * restarted session continues from what the sync topic remembers, and a delta on a version the replica does
 * not have is refused and sent whole in the same round. The replica's stored bits are read back each time.
 */
@ExtendWith(KafkaBrokerExtension.class)
class SyncSessionIT {
    private static final long MIB = 1L << 20;
    private static final Duration TIMEOUT = Duration.ofSeconds(90);

    @TempDir
    Path dir;

    @Test
    void roundsKeepTheReplicaEqualToTheSource(KafkaBroker broker) throws Exception {
        Topics topics = new Topics("sync-it.");
        DirtyBitmap a = bitmap(1024 * MIB, 65536, 0, MIB);
        DirtyBitmap b = bitmap(4096 * MIB, 4096, 100 * MIB, 3 * MIB, 2000 * MIB, 4096);
        SyncSession.Settings settings = new SyncSession.Settings(broker.bootstrapServers(), topics, Map.of(), "vm-9",
                "sync-it", TIMEOUT, true, 0);
        try (DestinationApp dest = SyncTestDestination.start(broker, topics, dir.resolve("state"), 3)) {
            try (SyncSession session = SyncSession.open(settings)) {
                RoundResult r1 = session.round(request(a, b));
                assertThat(r1.bitmaps()).extracting(BitmapOutcome::result)
                        .containsExactly(BitmapOutcome.Result.FULL, BitmapOutcome.Result.FULL);
                assertReplica(dest, a, b);

                RoundResult r2 = session.round(request(a, b));
                assertThat(r2.migrations()).isEmpty();
                assertThat(r2.count(BitmapOutcome.Result.UNCHANGED)).isEqualTo(2);

                b.markDirty(3000 * MIB, 8192);
                b.setRange(100 * MIB / 4096, 10, false);
                RoundResult r3 = session.round(request(a, b));
                BitmapOutcome delta = outcome(r3, "b");
                assertThat(delta.result()).isEqualTo(BitmapOutcome.Result.DELTA);
                assertThat(delta.chunks()).isEqualTo(2);
                assertThat(outcome(r3, "a").result()).isEqualTo(BitmapOutcome.Result.UNCHANGED);
                assertThat(r3.records()).isLessThan(r1.records() / 10);
                assertReplica(dest, a, b);

                RoundResult r4 = session.round(request(a));
                assertThat(outcome(r4, "b").result()).isEqualTo(BitmapOutcome.Result.REMOVED);
                assertThat(stored(dest, "b")).isNull();
            }
            try (SyncSession restarted = SyncSession.open(settings)) {
                assertThat(restarted.remembered()).containsOnlyKeys(new BitmapIdentity("vm-9", "disk0", "a"));
                a.markDirty(512 * MIB, 65536);
                RoundResult r5 = restarted.round(request(a));
                assertThat(outcome(r5, "a").result()).isEqualTo(BitmapOutcome.Result.DELTA);
                assertReplica(dest, a);
                // what is remembered says another version than the replica has (e.g. written by a sync that
                // died before its round's confirmation reached the replica)
                RememberedVersion real = restarted.remembered().get(new BitmapIdentity("vm-9", "disk0", "a"));
                remember(broker, topics, new RememberedVersion(real.id(), "00" + real.sha256().substring(2),
                        real.count(), real.granularity(), real.size(), real.enabled(), real.persistent(),
                        real.chunkSectors(), real.digests(), real.nodeAlias(), real.bitmapAlias(), real.migration(),
                        real.confirmed(), real.readTime()));
            }
            try (SyncSession third = SyncSession.open(settings)) {
                a.markDirty(700 * MIB, 65536);
                RoundResult r6 = third.round(request(a));
                BitmapOutcome fallback = outcome(r6, "a");
                assertThat(fallback.result()).isEqualTo(BitmapOutcome.Result.FULL);
                assertThat(fallback.detail()).startsWith("delta refused: ").contains("not the delta's base");
                assertThat(r6.migrations()).hasSize(2);
                assertReplica(dest, a);
            }
        }
    }

    @Test
    void wideChunksMakeDeltasOfWideChunksAndAnotherWidthGoesWhole(KafkaBroker broker) throws Exception {
        Topics topics = new Topics("sync-wide.");
        DirtyBitmap a = bitmap(1024 * MIB, 512, 0, MIB, 700 * MIB, 4 * MIB);
        SyncSession.Settings wide = new SyncSession.Settings(broker.bootstrapServers(), topics, Map.of(), "vm-9",
                "sync-wide", TIMEOUT, true, 0, ChunkSize.parse("8K"));
        try (DestinationApp dest = SyncTestDestination.start(broker, topics, dir.resolve("wide-state"), 3)) {
            try (SyncSession session = SyncSession.open(wide)) {
                RoundResult r1 = session.round(request(a));
                // 1 GiB at 512 B granularity: 256 KiB of bitmap, 32 chunks of 8 KiB (QEMU's 1K: 256)
                assertThat(outcome(r1, "a").result()).isEqualTo(BitmapOutcome.Result.FULL);
                assertThat(outcome(r1, "a").chunks()).isEqualTo(32);
                assertReplica(dest, a);
                a.markDirty(300 * MIB, 512);
                a.markDirty(300 * MIB + 40 * 512 * 8 * 1024, 512); // 40 KiB of bitmap further: another 8K chunk
                RoundResult r2 = session.round(request(a));
                assertThat(outcome(r2, "a").result()).isEqualTo(BitmapOutcome.Result.DELTA);
                assertThat(outcome(r2, "a").chunks()).isEqualTo(2);
                assertReplica(dest, a);
            }
            try (SyncSession qemuWidth = SyncSession.open(new SyncSession.Settings(broker.bootstrapServers(), topics,
                    Map.of(), "vm-9", "sync-wide", TIMEOUT, true, 0))) {
                a.markDirty(900 * MIB, 512);
                RoundResult r3 = qemuWidth.round(request(a));
                // remembered at 8K, read at 1K: other chunks, so no delta can name them
                assertThat(outcome(r3, "a").result()).isEqualTo(BitmapOutcome.Result.FULL);
                assertThat(outcome(r3, "a").chunks()).isEqualTo(256);
                assertReplica(dest, a);
            }
        }
    }

    private static MigrationRequest request(DirtyBitmap... bitmaps) {
        MigrationRequest.Builder b = MigrationRequest.builder().target("vm-9");
        String[] names = {"a", "b"};
        for (int i = 0; i < bitmaps.length; i++) {
            b.input(new MigrationInput.InMemoryBitmap("disk0", names[i], bitmaps[i], true, false));
        }
        return b.build();
    }

    private static BitmapOutcome outcome(RoundResult r, String bitmap) {
        return r.bitmaps().stream().filter(o -> o.id().bitmap().equals(bitmap)).findFirst().orElseThrow();
    }

    /** The replica holds each bitmap's version, and its stored bits are that version. */
    private static void assertReplica(DestinationApp dest, DirtyBitmap a) {
        assertReplica(dest, a, null);
    }

    private static void assertReplica(DestinationApp dest, DirtyBitmap a, DirtyBitmap b) {
        String[] names = {"a", "b"};
        DirtyBitmap[] bits = {a, b};
        for (int i = 0; i < 2 && bits[i] != null; i++) {
            StoredBitmaps.Stored s = stored(dest, names[i]);
            assertThat(s).as(names[i]).isNotNull();
            assertThat(s.state().sha256()).as(names[i]).isEqualTo(bits[i].sha256());
            DirtyBitmap back = new DirtyBitmap(s.state().size(), s.state().granularity());
            StoredBitmaps.of(dest.streams()).forEachRange(s.key(), (first, bytes) -> back.deserialize(first,
                    Math.min(bytes.length * 8L, back.bitCount() - first), bytes));
            assertThat(back.sha256()).as("%s read back", names[i]).isEqualTo(bits[i].sha256());
        }
    }

    private static StoredBitmaps.Stored stored(DestinationApp dest, String bitmap) {
        return StoredBitmaps.of(dest.streams()).find("vm-9", "disk0", bitmap).orElse(null);
    }

    private static void remember(KafkaBroker broker, Topics topics, RememberedVersion v) throws Exception {
        SyncStateTopic state = new SyncStateTopic(topics.sync(), DbmSerdes.syncState(Map.of()));
        try (KafkaProducer<String, byte[]> p = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                broker.bootstrapServers()), new StringSerializer(), new ByteArraySerializer())) {
            for (var r : state.records(v, p.partitionsFor(topics.sync()).size())) {
                p.send(r).get();
            }
        }
    }

    private static DirtyBitmap bitmap(long size, long g, long... startLength) {
        DirtyBitmap b = new DirtyBitmap(size, Granularity.of(g));
        for (int i = 0; i < startLength.length; i += 2) {
            b.markDirty(startLength[i], startLength[i + 1]);
        }
        return b;
    }
}
