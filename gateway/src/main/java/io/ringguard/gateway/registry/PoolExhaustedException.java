package io.ringguard.gateway.registry;

/** No free address is left in the configured pool for one address family (the API's 409). */
public final class PoolExhaustedException extends RuntimeException {
    public PoolExhaustedException(String message) {
        super(message);
    }
}
