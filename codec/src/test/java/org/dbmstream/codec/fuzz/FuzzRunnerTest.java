package org.dbmstream.codec.fuzz;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.dbmstream.testkit.fuzz.FuzzRunner;
import org.junit.jupiter.api.Test;

/** The fuzz runner reports an input that never finishes as a hang, naming the try and the input. */
class FuzzRunnerTest {
    @Test
    void anInputThatNeverFinishesIsReportedAsAHang() {
        final String before = System.getProperty("dbm.fuzz.hang.seconds");
        System.setProperty("dbm.fuzz.hang.seconds", "1");
        try {
            assertThatThrownBy(() -> FuzzRunner.run("never ends", rnd -> new FuzzRunner.Input(new byte[] {1, 2},
                    "stuck"), input -> {
                        new java.util.concurrent.CountDownLatch(1).await(); // what a looping reader would do
                        return false;
                    })).isInstanceOf(AssertionError.class)
                    .hasMessageContaining("never ends failed at try 0").hasMessageContaining("stuck, 2-byte input 0102")
                    .hasMessageContaining("(a hang)");
        } finally {
            if (before == null) {
                System.clearProperty("dbm.fuzz.hang.seconds");
            } else {
                System.setProperty("dbm.fuzz.hang.seconds", before);
            }
        }
    }
}
