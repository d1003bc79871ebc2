package org.dbmstream.topology.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.utils.Bytes;
import org.dbmstream.bitmap.Granularity;
import org.dbmstream.bitmap.chunk.Chunk;
import org.dbmstream.bitmap.load.BitmapKey;
import org.dbmstream.bitmap.load.BitmapNames;
import org.dbmstream.bitmap.load.BitmapState;
import org.dbmstream.bitmap.load.LoadError;
import org.dbmstream.bitmap.load.MigrationControl;
import org.dbmstream.bitmap.load.MigrationFact;
import org.dbmstream.topology.record.Control;
import org.dbmstream.topology.record.ControlSerde;
import org.dbmstream.topology.record.FactSerde;
import org.dbmstream.topology.record.SpecRecord;
import org.junit.jupiter.api.Test;

/** The topology's own binary records read back what was written, and store keys sort as they must. */
class CodecRoundTripTest {
    private static final BitmapNames NAMES = new BitmapNames("m1", "vm1", "disk0", "node-a", "b".repeat(512), "bm0");

    @Test
    void stateAndFactsRoundTrip() {
        BitmapState state = BitmapState.started(NAMES, Granularity.of(4096), 1L << 30, true, false).withChunk(8192)
                .completed(65536, "ab".repeat(32));
        assertThat(StateCodec.bitmapState(StateCodec.bitmapState(state))).isEqualTo(state);
        // the update time trails the layout: states stored without it still decode, with no time
        assertThat(StateCodec.updated(StateCodec.bitmapState(state))).isNull();
        byte[] stamped = StateCodec.bitmapState(state, 1_700_000_000_123L);
        assertThat(StateCodec.bitmapState(stamped)).isEqualTo(state);
        assertThat(StateCodec.updated(stamped)).isEqualTo(java.time.Instant.ofEpochMilli(1_700_000_000_123L));
        LoadError error = LoadError.unknownFlags(0x88);
        assertThat(StateCodec.loadError(StateCodec.loadError(error))).isEqualTo(error);
        FactSerde facts = new FactSerde();
        for (MigrationFact f : List.of(new MigrationFact.BitmapDone(NAMES),
                new MigrationFact.Stopped("m1", "vm1", error),
                new MigrationFact.Manifest("m1", "vm1", List.of(new Chunk.BitmapRef("n", "b"))))) {
            assertThat(facts.deserialize("t", facts.serialize("t", f))).isEqualTo(f);
        }
    }

    @Test
    void controlRecordsRoundTrip() {
        ControlSerde serde = new ControlSerde();
        for (Control c : List.of(new Control.Spec(new SpecRecord("m1", "vm1", "[]", Map.of("disk0", 42L), null)),
                new Control.Spec(new SpecRecord("m2", "vm2", null, null, "The node alias '0' is not well-formed")),
                new Control.SpecRemoved("m3"), new Control.Switchover("m1", "vm1"),
                new Control.Write("m1", "vm1", "disk0", 1L << 40, 512), new Control.Write("", "vm1", "d", 0, 1),
                new Control.Stop(new MigrationControl("m1", LoadError.nameNotSet())),
                new Control.BitmapTaken(NAMES))) {
            assertThat(serde.deserialize("t", serde.serialize("t", c))).isEqualTo(c);
        }
        assertThatThrownBy(() -> serde.deserialize("t", new byte[] {9, 1})).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("version 9");
    }

    @Test
    void chunksRoundTrip() {
        for (Chunk c : List.of(new Chunk.Start("n", "b", Granularity.of(65536), 0x07, -1),
                new Chunk.Bits("n", "b", 128, 128, new byte[] {1, 2, 3}), new Chunk.Bits("n", "b", 0, 8, null),
                new Chunk.Complete("n", "b"), new Chunk.EndOfStream(List.of(new Chunk.BitmapRef("n", "b"))),
                new Chunk.Switchover())) {
            assertThat(ChunkCodec.decode(ChunkCodec.encode(c))).isEqualTo(c);
        }
    }

    @Test
    void chunkKeysSortByIndexUnderTheirBitmapAndMigrationPrefixes() {
        BitmapKey key = new BitmapKey("m1", "disk0", "b0");
        Bytes low = StoreKeys.chunk(key, 1);
        Bytes high = StoreKeys.chunk(key, 256);
        assertThat(low.compareTo(high)).isNegative();
        assertThat(StoreKeys.chunkIndex(high)).isEqualTo(256);
        assertThat(startsWith(high, StoreKeys.bitmap(key))).isTrue();
        assertThat(startsWith(StoreKeys.bitmap(key), StoreKeys.migration("m1"))).isTrue();
        // a migration whose id extends another's is not under its prefix
        assertThat(startsWith(StoreKeys.bitmap(new BitmapKey("m10", "disk0", "b0")), StoreKeys.migration("m1")))
                .isFalse();
        assertThat(StoreKeys.bitmapKey(StoreKeys.bitmap(key))).isEqualTo(key);
    }

    private static boolean startsWith(Bytes whole, Bytes prefix) {
        byte[] w = whole.get();
        byte[] p = prefix.get();
        return w.length >= p.length && Arrays.equals(Arrays.copyOf(w, p.length), p);
    }
}
