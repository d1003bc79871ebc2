package org.dbmstream.topology.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;

/** Tables sharing one store keep apart: same keys, different tags; scans see their own entries, untagged. */
class KeyspaceTest {

    @Test
    void keyspacesOfOneStoreDoNotSeeEachOther() {
        final MockProcessorContext<Void, Void> context = new MockProcessorContext<>();
        final KeyValueStore<Bytes, byte[]> store = Stores.keyValueStoreBuilder(
                Stores.inMemoryKeyValueStore("meta"), Serdes.Bytes(), Serdes.ByteArray()).withLoggingDisabled().build();
        store.init(context.getStateStoreContext(), store);
        final Keyspace specs = new Keyspace(store, StoreNames.SPECS);
        final Keyspace stops = new Keyspace(store, StoreNames.STOPS);

        specs.put(key("mig-1"), bytes("spec"));
        stops.put(key("mig-1"), bytes("cancelled"));
        specs.put(key("mig-10"), bytes("other spec"));
        stops.put(key("nig-2"), bytes("failed"));

        assertThat(specs.get(key("mig-1"))).isEqualTo(bytes("spec"));
        assertThat(stops.get(key("mig-1"))).isEqualTo(bytes("cancelled"));
        assertThat(specs.get(key("nig-2"))).isNull();
        assertThat(scan(specs, "mig")).containsExactly("mig-1=spec", "mig-10=other spec");
        assertThat(scan(stops, "mig")).containsExactly("mig-1=cancelled");
        assertThat(scan(stops, "")).containsExactly("mig-1=cancelled", "nig-2=failed");

        specs.delete(key("mig-1"));
        assertThat(specs.get(key("mig-1"))).isNull();
        assertThat(stops.get(key("mig-1"))).isEqualTo(bytes("cancelled"));
        assertThat(scan(specs, "mig")).containsExactly("mig-10=other spec");
        assertThat(store.approximateNumEntries()).isEqualTo(3);
        store.close();
    }

    private static List<String> scan(Keyspace space, String prefix) {
        final List<String> out = new ArrayList<>();
        try (KeyValueIterator<Bytes, byte[]> it = space.prefixScan(key(prefix))) {
            while (it.hasNext()) {
                final Bytes peeked = it.peekNextKey();
                final KeyValue<Bytes, byte[]> kv = it.next();
                assertThat(peeked).isEqualTo(kv.key);
                out.add(new String(kv.key.get(), StandardCharsets.UTF_8) + "="
                        + new String(kv.value, StandardCharsets.UTF_8));
            }
        }
        return out;
    }

    private static Bytes key(String s) {
        return Bytes.wrap(bytes(s));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
