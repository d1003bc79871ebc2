package org.dbmstream.topology.it;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;

import org.dbmstream.topology.DestinationConfig;
import org.dbmstream.topology.DestinationApp;

/**
 * One destination instance in a JVM of its own, so that a test can kill it with SIGKILL (a real
 * crash: no close, no commit, no flush). Arguments: bootstrap servers, topic prefix, application
 * id, state directory. Prints {@code STATE RUNNING} once running and runs until killed.
 */
public final class DestinationMain {

    private DestinationMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        DestinationConfig config = DestinationInstances.config(args[0], args[1], args[2], Path.of(args[3]));
        DestinationApp app = new DestinationApp(config);
        // SIGTERM (the test's teardown) closes cleanly; SIGKILL (the crash) skips this
        Runtime.getRuntime().addShutdownHook(new Thread(app::close));
        app.start();
        if (!app.awaitRunning(Duration.ofSeconds(90))) {
            System.out.println("STATE " + app.streams().state());
            System.exit(1);
        }
        System.out.println("STATE RUNNING");
        System.out.flush();
        new CountDownLatch(1).await();
    }
}
