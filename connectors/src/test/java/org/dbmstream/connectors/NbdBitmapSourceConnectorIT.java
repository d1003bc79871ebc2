package org.dbmstream.connectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.dbmstream.bitmap.DirtyBitmap;
import org.dbmstream.broker.KafkaBroker;
import org.dbmstream.broker.testing.KafkaBrokerExtension;
import org.dbmstream.nbd.NbdTls;
import org.dbmstream.serdes.Topics;
import org.dbmstream.source.MigrationPlan;
import org.dbmstream.source.MigrationPlanner;
import org.dbmstream.source.MigrationRequest;
import org.dbmstream.source.NbdSnapshot;
import org.dbmstream.testkit.QemuNbdServer;
import org.dbmstream.testkit.QemuTestData;
import org.dbmstream.testkit.QemuTools;
import org.dbmstream.testkit.TlsCredentials;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The NBD connector in a real Connect worker against a real qemu-nbd that requires mutual TLS: the live
 * bitmaps are published as one migration whose id comes from their content, every chunk once, with QEMU's
 * sha256/count (plaintext NBD is the same path without credentials; NbdMigrateIT covers it end to end).
 */
@ExtendWith(KafkaBrokerExtension.class)
class NbdBitmapSourceConnectorIT {
    @TempDir
    Path dir;

    @Test
    void publishesTheLiveBitmapsOfAnExportWithQemusSha256(final KafkaBroker broker) throws Exception {
        assumeTrue(QemuTools.available("qemu-nbd"), "qemu-nbd is not installed");
        assumeTrue(TlsCredentials.available(), "openssl is not installed");
        final TlsCredentials creds = TlsCredentials.create(dir);
        final Topics t = Qcow2BitmapSourceConnectorIT.topics(broker, "itc-nbd.");
        try (QemuNbdServer server = QemuNbdServer.startTls(QemuTestData.image("img1", dir), "img1", dir,
                creds.serverDir(), true, "b64k", "b4k")) {
            final String uri = server.tlsUri("bitmap=b64k&granularity=64K&bitmap=b4k&granularity=4K&persistent=true");
            final String id;
            final long records;
            try (NbdSnapshot s = NbdSnapshot.read(uri, new NbdSnapshot.Defaults(null, null, false, false,
                    Duration.ofSeconds(60), NbdTls.fromDirectory(creds.clientDir())));
                    MigrationPlan plan = MigrationPlanner.plan(MigrationRequest.builder().migrationId("x")
                            .inputs(s.inputs()).build())) {
                id = "connect-img1-" + s.fingerprint();
                records = plan.chunks().size();
            }
            final Map<String, String> c = new HashMap<>();
            c.put("connector.class", NbdBitmapSourceConnector.class.getName());
            c.put("tasks.max", "1");
            c.put("nbd.uris", uri);
            c.put("nbd.tls.creds.dir", creds.clientDir().toString());
            c.put("topic.prefix", t.prefix());
            c.put("target", "it-nbd");
            c.put("key.converter", Qcow2BitmapSourceConnector.BYTE_ARRAY_CONVERTER);
            c.put("value.converter", Qcow2BitmapSourceConnector.BYTE_ARRAY_CONVERTER);
            c.put("exactly.once.support", "required");
            try (ConnectWorker worker = ConnectWorker.start(broker.bootstrapServers(), "itc-nbd")) {
                worker.putConnector("nbd-bitmaps", c);
                worker.awaitRunning("nbd-bitmaps", 1, Duration.ofSeconds(90));
                final var log = Qcow2BitmapSourceConnectorIT.awaitLog(broker, t, worker, "nbd-bitmaps",
                        l -> l.getOrDefault(id, List.of()).size() == records);
                assertThat(log.keySet()).containsExactly(id);
                Qcow2BitmapSourceConnectorIT.assertContiguous(log.get(id));
                final Map<String, DirtyBitmap> rebuilt = ChunkLog.rebuild(log.get(id));
                assertThat(rebuilt).hasSize(2);
                for (final JsonNode e : QemuTestData.expected("img1.qcow2")) {
                    final DirtyBitmap b = rebuilt.get("img1/" + e.get("name").asText());
                    if (b != null) {
                        assertThat(b.sha256()).as(e.get("name").asText()).isEqualTo(e.get("sha256").asText());
                        assertThat(b.count()).isEqualTo(e.get("count").asLong());
                    }
                }
            }
        }
    }
}
