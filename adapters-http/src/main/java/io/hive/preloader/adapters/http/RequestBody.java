package io.hive.preloader.adapters.http;

import io.javalin.http.Context;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.function.LongSupplier;

/**
 * A request's body, read in full by the guard before an endpoint sees it: at most the limit, and no slower than
 * {@value #MIN_BYTES_PER_SECOND} bytes a second once a second has passed, counted only while its bytes are still
 * arriving, so that a slow client cannot hold a server thread for as long as it drips; a read that blocks is bounded by
 * the connector's idle timeout.
 *
 * <p>Not Jetty's own minimum rate ({@code HttpConfiguration.setMinRequestDataRate}): it measures from the first byte
 * the application read to each later read, the read that finds the end of the body included, so a small body that
 * had fully arrived was refused (408) whenever reading it was held up a few milliseconds (jetty/jetty.project#4641).
 */
final class RequestBody {
    static final long MIN_BYTES_PER_SECOND = 1024;
    private static final long GRACE_NANOS = 1_000_000_000L;
    private static final String ATTRIBUTE = RequestBody.class.getName();

    private RequestBody() {
    }

    /** Reads the body of {@code ctx} for {@link #of}. @throws ApiException 413 past the limit, 408 too slow or stalled */
    static void read(Context ctx, long limit) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        try {
            copy(ctx.req().getInputStream(), ctx.req().getContentLengthLong(), limit, body, System::nanoTime);
        } catch (IOException e) {
            throw new ApiException(408, "the request body stopped arriving: " + Errors.oneLine(e.getMessage()));
        }
        ctx.attribute(ATTRIBUTE, body.toByteArray());
    }

    /** Reads what is left of the body of {@code ctx}, keeping none of it, so that the connection can carry the next request. */
    static void discard(Context ctx, long limit) throws IOException {
        copy(ctx.req().getInputStream(), -1, limit, OutputStream.nullOutputStream(), System::nanoTime);
    }

    /** The body the guard read: empty where there was none. */
    static byte[] of(Context ctx) {
        byte[] body = ctx.attribute(ATTRIBUTE);
        return body == null ? new byte[0] : body;
    }

    /**
     * Copies {@code in} to its end, or to {@code declared} bytes where the length was declared (-1 where not).
     *
     * @return the bytes copied
     * @throws ApiException 413 past {@code limit}; 408 when it arrives slower than the minimum rate
     */
    static long copy(InputStream in, long declared, long limit, OutputStream into, LongSupplier nanoTime) throws IOException {
        long start = nanoTime.getAsLong();
        byte[] buffer = new byte[8192];
        long received = 0;
        int n;
        while (received != declared && (n = in.read(buffer)) != -1) {
            received += n;
            if (received > limit) {
                throw new ApiException(413, "request body is larger than the limit of " + limit + " bytes");
            }
            into.write(buffer, 0, n);
            long late = nanoTime.getAsLong() - start - GRACE_NANOS;
            // Only a body still arriving is judged: one read in full has nothing left to be slow about.
            if (received != declared && late > 0 && received < MIN_BYTES_PER_SECOND * late / 1_000_000_000L) {
                throw new ApiException(408, "request body arrived slower than " + MIN_BYTES_PER_SECOND + " bytes a second ("
                        + received + " bytes in " + (late + GRACE_NANOS) / 1_000_000 + " ms)");
            }
        }
        return received;
    }
}
