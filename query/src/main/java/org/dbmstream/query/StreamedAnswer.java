package org.dbmstream.query;

import io.javalin.http.Context;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import org.eclipse.jetty.ee10.servlet.ServletContextRequest;

/**
 * A 200 answer whose body is streamed (a bitmap's extents or raw bytes, from this instance's stores or from
 * the instance that holds it). When the body's source fails part-way (its task moved in a rebalance, the
 * other instance died, the answer took longer than the request timeout) after bytes went out, the connection
 * is aborted: the client sees a broken answer, never a short one that looks complete (a chunked answer would
 * otherwise end cleanly, and a closing JSON writer would even complete the array). Before any byte went out
 * the failure becomes the ordinary error answer (503 with {@code Retry-After} for a store that moved).
 */
final class StreamedAnswer {
    /** Writes a body; may fail part-way. */
    @FunctionalInterface
    interface Body {
        void writeTo(OutputStream out) throws Exception;
    }

    /** Thrown once the connection was aborted: nothing is left to answer. */
    static final class Aborted extends RuntimeException {
        Aborted(Throwable cause) {
            super("answer aborted after a part of it was sent: " + cause, cause);
        }
    }

    private StreamedAnswer() {
    }

    /**
     * Sends status 200 with {@code contentType} (and {@code length} bytes, unless negative) and {@code body}.
     * Writes to the client that fail mean the client went away and are rethrown as they are.
     */
    static void send(Context ctx, String contentType, long length, Duration timeout, Body body) throws Exception {
        ctx.status(200).contentType(contentType);
        if (length >= 0) {
            ctx.res().setContentLengthLong(length);
        }
        ClientStream client = new ClientStream(ctx.res().getOutputStream());
        try {
            body.writeTo(timed(client, timeout));
            client.flush();
        } catch (Exception e) {
            if (client.failed) {
                throw e; // the client went away: nobody to tell
            }
            if (!ctx.res().isCommitted()) {
                ctx.res().reset(); // nothing sent yet: the ordinary error answer replaces it, headers and all
                throw e;
            }
            // close the connection under the answer: no last chunk, no missing bytes made up; Jetty's own abort
            // would leave Javalin to fail on the request afterwards (an ERROR line with a stack trace each time)
            ServletContextRequest.getServletContextRequest(ctx.req()).getConnectionMetaData().getConnection()
                    .getEndPoint().close(e);
            throw new Aborted(e);
        }
    }

    /** The response body, cut (as a failure of the source) once it has been written for longer than {@code timeout}. */
    private static OutputStream timed(OutputStream out, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        return new FilterOutputStream(out) {
            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                if (System.nanoTime() - deadline > 0) {
                    throw new IOException("the response took longer than " + timeout + "; cut");
                }
                out.write(b, off, len);
            }
        };
    }

    /** The client's stream, remembering whether a write to it failed. */
    private static final class ClientStream extends FilterOutputStream {
        private boolean failed;

        ClientStream(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            try {
                out.write(b);
            } catch (IOException e) {
                failed = true;
                throw e;
            }
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            try {
                out.write(b, off, len);
            } catch (IOException e) {
                failed = true;
                throw e;
            }
        }

        @Override
        public void flush() throws IOException {
            try {
                out.flush();
            } catch (IOException e) {
                failed = true;
                throw e;
            }
        }
    }
}
