package io.ringguard.gateway.uapi;

/**
 * Lets the owner of the UDP sockets veto a {@code set} whose listen port it cannot bind, so the
 * whole request fails with {@link UapiErrno#EADDRINUSE} and nothing changes.
 */
@FunctionalInterface
public interface ListenPortHook {
    /** Accepts every port: for tests, and for a device that is not up (nothing to bind yet). */
    ListenPortHook ACCEPT_ALL = port -> UapiErrno.OK;

    /**
     * Called by {@link UapiSet#apply} on the calling thread, once, after the request is otherwise
     * valid and only when the listen port changes. An implementation may bind the new sockets here
     * and swap them in when the caller publishes the configuration.
     *
     * @param listenPort the new port, 0 = let the system pick
     * @return {@link UapiErrno#OK}, or the errno to reject the whole request with
     */
    int onListenPortChange(int listenPort);
}
