package org.dbmstream.broker;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.admin.Admin;
import org.dbmstream.broker.testing.KafkaBrokerExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The extension hands every test of a class the same running broker, whichever the switch selects. */
@ExtendWith(KafkaBrokerExtension.class)
class KafkaBrokerExtensionIT {

    private static KafkaBroker first;

    @BeforeAll
    static void remember(KafkaBroker broker) {
        first = broker;
        broker.createTopics(3, "ext.topic");
    }

    @Test
    void injectsTheClassBroker(KafkaBroker broker) throws Exception {
        assertThat(broker).isSameAs(first);
        if (System.getProperty(KafkaBrokerExtension.SWITCH, "embedded").equals("embedded")) {
            assertThat(broker).isInstanceOf(EmbeddedKafkaBroker.class);
        }
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
            assertThat(admin.describeCluster().nodes().get()).hasSize(1);
            assertThat(admin.describeTopics(List.of("ext.topic")).allTopicNames().get().get("ext.topic").partitions()).hasSize(3);
        }
    }
}
