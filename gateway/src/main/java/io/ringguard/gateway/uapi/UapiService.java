package io.ringguard.gateway.uapi;

import java.io.IOException;
import java.io.Writer;

/**
 * The seam between the UAPI socket ({@link UapiServer}) and whatever owns the device: the real one
 * hands each request to the control thread and waits for it, bounded; tests use an in-memory one.
 *
 * <p>Called by the server's connection threads, possibly by several at once (one per connection),
 * so an implementation serializes what it must. A call may block briefly; it should not block
 * longer than the server's I/O timeout, because the client is waiting for the reply.
 */
public interface UapiService {
    /**
     * Writes the whole {@code get=1} reply to {@code out}, including {@code errno=0} and the empty
     * line: implementations call {@link UapiResponseWriter#writeGet}. If it throws before anything
     * reached the client, the server answers {@code errno=5} instead; otherwise it drops the
     * connection, so the client never takes half a reply for a whole one.
     */
    void writeGet(Writer out) throws IOException;

    /**
     * Applies a validated {@code set=1} whole or not at all.
     *
     * <p>The request belongs to the implementation from here on: it calls {@link
     * UapiRequest.Set#wipe()} once it no longer needs the key material (also when it rejects the
     * request), since only it knows when another thread is done with it.
     *
     * @return {@link UapiErrno#OK} when applied, else the errno for the reply ({@link
     *     UapiErrno#EINVAL}, {@link UapiErrno#EADDRINUSE}, {@link UapiErrno#EIO})
     */
    int set(UapiRequest.Set request);
}
