package org.dbmstream.cli.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A short chaos run on a Kafka cluster (issue 22): three KRaft nodes in processes of their own, the active
 * controller SIGKILLed and restarted, another node lost for good and replaced (voter change, reassignment),
 * a destination SIGKILLed and restarted, a publisher killed mid-migration; then queries while the instance
 * holding the most bitmaps fails over. Every migration ends exactly once as expected with QEMU's sha256/count,
 * every topic (internal ones included) ends with 3 replicas and min.insync.replicas 2, and every query answer
 * is 200 with the right content or 503 with Retry-After.
 */
class ClusterChaosIT {

    @Test
    void clusterFaultsLoseNothingAndQueriesNeverAnswerWrong(@TempDir Path dir) throws Exception {
        StringWriter progress = new StringWriter();
        ChaosResult r = ChaosRuns.run(new ChaosRun.Settings(9, 1, 2, 3, 22L, Duration.ofMinutes(4), dir, 3, 1,
                List.of(), true, false, 0, false, null), progress);
        String json = r.json() + "\n" + progress;
        assertThat(r.kills()).as(json).isEqualTo(1);
        assertThat(r.brokers().kills()).as(json).isEqualTo(2);
        assertThat(r.brokers().controllerKills()).as(json).isEqualTo(1);
        assertThat(r.brokers().replaced()).as(json).isEqualTo(1);
        assertThat(r.brokers().partitionsReassigned()).as(json).isPositive();
        assertThat(r.brokers().brokers()).as(json).isEqualTo(3);
        assertThat(r.brokers().topics()).as("topics checked, internal ones included\n" + json).isGreaterThan(10);
        assertThat(r.brokers().topicsBelowPolicy()).as(json).isZero();
        assertThat(r.unfinished()).as(json).isZero();
        assertThat(r.counts().notes).as(json).allMatch(n -> n.contains("publisher killed"));
        assertThat(r.counts().clean()).as(json).isTrue();
        assertThat(r.queries().ok()).as(json).isPositive();
        assertThat(r.queries().wrong()).as(json).isZero();
        assertThat(r.passed()).as(json).isTrue();
    }
}
