package org.dbmstream.helm;

import static org.assertj.core.api.Assertions.assertThat;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import org.junit.jupiter.api.Test;

/** {@code helm lint --strict helm/dbm-stream}: warnings fail too. */
class ChartLintTest {
    @Test
    void lintsStrictlyWithoutFindings() {
        final LintResult result = new Helm(ChartHelm.chartDir()).lint().strict().call();
        assertThat(result.getMessages()).as("helm lint --strict messages")
                .allSatisfy(m -> assertThat(m).doesNotContainIgnoringCase("[ERROR]").doesNotContainIgnoringCase("[WARNING]"));
        assertThat(result.isFailed()).as("helm lint --strict failed: %s", result.getMessages()).isFalse();
    }
}
