package org.dbmstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.dbmstream.testkit.QemuTestData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Arguments and input files a careless user gives are bad arguments (exit 2) with one line naming the option
 * or file and the problem, found before a broker is started or contacted (none is given here: a check made
 * later would start the in-process broker and take seconds).
 */
class CarelessArgumentsTest {
    private static final String IMG1 = QemuTestData.file("images/img1.qcow2.gz").toString();

    private static void refused(final DbmRun run, final String message) {
        assertThat(run.exit()).as(run.err()).isEqualTo(2);
        assertThat(run.err()).startsWith(message);
        assertThat(run.err().lines().count()).as(run.err()).isLessThanOrEqualTo(2);
        assertThat(run.err()).doesNotContain("Exception");
        assertThat(run.out()).isEmpty();
    }

    @Test
    void namesTheReplicaCouldNotBeReadBackByAreRefused() {
        refused(DbmRun.of("migrate", "--target", "", IMG1), "dbm migrate: --target: the target is empty");
        refused(DbmRun.of("migrate", "--target", "t".repeat(9000), IMG1), "dbm migrate: --target: the target 'tttt");
        assertThat(DbmRun.of("migrate", "--target", "t".repeat(9000), IMG1).err()).contains("has 9000 bytes, more than 255");
        refused(DbmRun.of("migrate", "--node", "", IMG1), "dbm migrate: --node: the node name is empty");
        refused(DbmRun.of("migrate", "--node", "disk\t0", IMG1),
                "dbm migrate: --node: the node name 'disk\\u00090' holds the control character U+0009");
        refused(DbmRun.of("migrate", "--migration-id", "m".repeat(100_000), IMG1),
                "dbm migrate: --migration-id: the migration id 'mmmm");
        // reading one back: refused before the API is asked (it would answer 404 or 414)
        refused(DbmRun.of("bitmaps", "raw", "--url", "http://127.0.0.1:9", "", "img1", "b64k", "-o", "-"),
                "dbm bitmaps raw: TARGET: the target is empty");
        refused(DbmRun.of("bitmaps", "show", "--url", "http://127.0.0.1:9", "vm", "img1", "b".repeat(1024)),
                "dbm bitmaps show: NAME: the bitmap name 'bbbb");
        refused(DbmRun.of("bitmaps", "list", "--url", "http://127.0.0.1:9", ""),
                "dbm bitmaps list: TARGET: the target is empty");
        refused(DbmRun.of("migrate", "--raw", IMG1, "--raw-node", "n", "--raw-name", "", "--granularity", "64K",
                "--disk-size", "1G"), "dbm migrate: --raw-name: the bitmap name is empty");
    }

    @Test
    void kafkaNamesFollowKafkasRules(@TempDir final Path tmp) {
        refused(DbmRun.of("migrate", "--topic-prefix", "bad prefix", IMG1), "dbm migrate: Invalid value for option "
                + "'--topic-prefix': 'bad prefix' holds a space, which Kafka topic names cannot hold");
        refused(DbmRun.of("destination", "--application-id", ""),
                "dbm destination: Invalid value for option '--application-id': an application id must not be empty");
        refused(DbmRun.of("destination", "--topic-prefix", "dbm/"),
                "dbm destination: Invalid value for option '--topic-prefix': 'dbm/' holds '/'");
        refused(DbmRun.of("replay", "--bootstrap-servers", "127.0.0.1:1", "--application-id", ""),
                "dbm replay: Invalid value for option '--application-id': an application id must not be empty");
        final Path nonexistent = tmp.resolve("nonexistent.properties");
        refused(DbmRun.of("replay", "--bootstrap-servers", "127.0.0.1:1", "--config", nonexistent.toString()),
                "dbm replay: --config " + nonexistent + ": no such file");
        refused(DbmRun.of("replay", "--bootstrap-servers", "127.0.0.1:1", "--replay-prefix", "dbm."),
                "dbm replay: --replay-prefix 'dbm.' overlaps the live topics' prefix 'dbm.'");
    }

    @Test
    void filesThatAreNotUtf8AreRefusedNamingWhere(@TempDir final Path tmp) throws Exception {
        final Path mapping = Files.write(tmp.resolve("map.json"), new byte[] {'[', '\n', ' ', (byte) 0xff, ']'});
        refused(DbmRun.of("migrate", "--mapping", mapping.toString(), IMG1),
                "dbm migrate: --mapping " + mapping + ": not UTF-8 text: byte 0xff at offset 3 (line 2)");
        final Path writes = Files.write(tmp.resolve("w.txt"), new byte[] {'i', 'm', 'g', '1', (byte) 0xc3, ' ', '0'});
        refused(DbmRun.of("migrate", "--switchover", "--writes", writes.toString(), IMG1),
                "dbm migrate: writes file " + writes + ": not UTF-8 text: byte 0xc3 at offset 4 (line 1)");
    }

    @Test
    void anImageQemusSelectionRefusesIsABadInput() {
        // img-broken's bitmaps are in_use in QEMU's image: QEMU's migration refuses them with this message
        refused(DbmRun.of("migrate", QemuTestData.file("images/img-broken.qcow2.gz").toString()),
                "dbm migrate: Bitmap 'b64k' is inconsistent and cannot be used");
    }

    @Test
    void mappingsAreParsedStrictly(@TempDir final Path tmp) throws Exception {
        final Path trailing = Files.writeString(tmp.resolve("trailing.json"),
                "[{\"node-name\": \"img1\", \"alias\": \"disk0\", \"bitmaps\": []}] garbage");
        refused(DbmRun.of("migrate", "--mapping", trailing.toString(), IMG1), "dbm migrate: --mapping " + trailing
                + ": block-bitmap-mapping is not valid JSON");
        final Path twice = Files.writeString(tmp.resolve("twice.json"),
                "[{\"node-name\": \"img1\", \"alias\": \"disk0\", \"alias\": \"disk1\", \"bitmaps\": []}]");
        refused(DbmRun.of("migrate", "--mapping", twice.toString(), IMG1), "dbm migrate: --mapping " + twice
                + ": block-bitmap-mapping is not valid JSON: Duplicate field 'alias'");
    }

    @Test
    void writesTheDestinationWouldDropAreRefusedByLine(@TempDir final Path tmp) throws Exception {
        final Path unknown = Files.writeString(tmp.resolve("unknown.txt"), "# writes\nimg1 0 4096\ndisk9 0 512\n");
        refused(DbmRun.of("migrate", "--switchover", "--writes", unknown.toString(), IMG1), "dbm migrate: --writes "
                + unknown + " line 3: node 'disk9' is not a node of this migration on the destination (its nodes: img1)");
        final Path beyond = Files.writeString(tmp.resolve("beyond.txt"), "img1 1073741824 1\n");
        refused(DbmRun.of("migrate", "--switchover", "--writes", beyond.toString(), IMG1), "dbm migrate: --writes "
                + beyond + " line 1: the write of 1 bytes at offset 1073741824 reaches past the end of node 'img1' "
                + "(1073741824 bytes)");
        final Path fine = Files.writeString(tmp.resolve("fine.txt"), "img1 0 4096\n");
        refused(DbmRun.of("migrate", "--writes", fine.toString(), IMG1), "dbm migrate: --writes " + fine
                + ": the writes are made on the destination once its VM runs, and this migration never switches over");
    }
}
