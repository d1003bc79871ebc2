package org.dbmstream.source;

/**
 * Receives a publication's progress. Called on the publishing thread, so implementations must be
 * quick; every method has a no-op default. {@link ProgressRenderers} has the shared renderers.
 */
public interface PublishListener {
    /** No-op listener. */
    PublishListener NONE = new PublishListener() {
    };

    /** Sending began; {@code progress.totalBits()} is known. */
    default void started(PublishProgress progress) {
    }

    /** Called after each record handed to the producer (throttle rendering yourself). */
    default void progressed(PublishProgress progress) {
    }

    /** Everything was sent and acknowledged. */
    default void finished(PublishProgress progress, PublishResult result) {
    }
}
