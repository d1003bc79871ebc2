package org.dbmstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A migration id is an identity ({@code dbm migrate --bootstrap-servers} against one running destination):
 * other content under an existing id is refused before anything is published; the same content is a
 * retry that reports the existing outcome; an empty selection publishes nothing.
 */
class MigrationIdentityIT {
    private static EmbeddedRuntime runtime;

    private record Run(int exit, String out, String err) {
    }

    @BeforeAll
    static void start() throws InterruptedException {
        runtime = EmbeddedRuntime.startBroker();
        runtime.startDestination("dbm.", Map.of());
    }

    @AfterAll
    static void stop() {
        if (runtime != null) {
            runtime.close();
        }
    }

    private static Run dbm(final String... args) {
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final int exit = Dbm.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Run(exit, out.toString(), err.toString());
    }

    private static Run migrate(final String id, final Path image) {
        return dbm("migrate", "--bootstrap-servers", runtime.bootstrapServers(), "--timeout", "PT2M",
                "--migration-id", id, image.toString());
    }

    private static Path image(final String name) {
        return InspectCommandTest.testdata().resolve("images").resolve(name);
    }

    /** Records on the topic (all partitions), to prove nothing was published. */
    private static long records(final String topic) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                runtime.bootstrapServers()))) {
            final var parts = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions();
            final Map<TopicPartition, OffsetSpec> latest = new java.util.HashMap<>();
            parts.forEach(p -> latest.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest()));
            return admin.listOffsets(latest).all().get().values().stream().mapToLong(i -> i.offset()).sum();
        }
    }

    @Test
    void otherContentUnderAnExistingIdIsRefusedAndTheSameContentReportsTheExistingOutcome() throws Exception {
        final Run first = migrate("same-id", image("img1.qcow2.gz"));
        assertThat(first.exit()).as(first.out() + first.err()).isZero();
        assertThat(first.out()).contains("MigrationCompleted  same-id target=default bitmaps=4");
        final long chunks = records("dbm.chunks");
        final long specs = records("dbm.migrations");

        final Run other = migrate("same-id", image("img2.qcow2.gz"));
        assertThat(other.exit()).isEqualTo(2);
        assertThat(other.err()).contains("migration id 'same-id' is taken").contains("other content")
                .contains("nothing was published");
        assertThat(other.out()).doesNotContain("Published").doesNotContain("Bitmap");
        assertThat(records("dbm.chunks")).isEqualTo(chunks);
        assertThat(records("dbm.migrations")).isEqualTo(specs);

        final Run retry = migrate("same-id", image("img1.qcow2.gz"));
        assertThat(retry.exit()).as(retry.out() + retry.err()).isZero();
        assertThat(retry.out()).contains("was published before with the same content")
                .doesNotContain("Published migration")
                .contains("MigrationCompleted  same-id target=default bitmaps=4");
        assertThat(records("dbm.chunks")).isEqualTo(chunks);
    }

    @Test
    void anImageWithoutBitmapsPublishesNothing() throws Exception {
        final long specs = records("dbm.migrations");
        final Path plain = InspectCommandTest.testdata().getParent().resolve("qcow2-extra/plain.qcow2.gz");

        final Run run = migrate("empty-1", plain);

        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.err()).contains("nothing to migrate").contains(plain.toString()).contains("nothing was published");
        assertThat(records("dbm.migrations")).isEqualTo(specs);
    }


    /**
     * As QEMU's add_bitmaps_to_list: an inconsistent (in_use) bitmap on a node the migration takes is
     * refused with QEMU's message; a mapping that leaves its node out lets the other nodes migrate.
     */
    @Test
    void inconsistentBitmapsAreRefusedOnlyOnTheNodesAMigrationTakes(@org.junit.jupiter.api.io.TempDir final Path tmp)
            throws Exception {
        final Path broken = image("img-broken.qcow2.gz");
        final Run refused = dbm("migrate", "--bootstrap-servers", runtime.bootstrapServers(), broken.toString());
        // a bad input, found before anything is published (as a corrupt image)
        assertThat(refused.exit()).isEqualTo(2);
        assertThat(refused.err()).contains("Bitmap 'b64k' is inconsistent and cannot be used");

        final Path mapping = java.nio.file.Files.writeString(tmp.resolve("img1-only.json"),
                "[{\"node-name\": \"img1\", \"alias\": \"d\", \"bitmaps\": [{\"name\": \"b4k\", \"alias\": \"b\"}]}]");
        final Run others = dbm("migrate", "--bootstrap-servers", runtime.bootstrapServers(), "--timeout", "2m",
                "--target", "vm-others", "--mapping", mapping.toString(), broken.toString(),
                image("img1.qcow2.gz").toString());
        assertThat(others.exit()).as(others.out() + others.err()).isZero();
        assertThat(others.out()).contains("sha256=86467c2cf44c292e86722ab6b0786ec51e20b4df4840807876efd29f31fae048")
                .contains("bitmaps=1");
    }
}
