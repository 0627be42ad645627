package io.ringguard.gateway.registry;

/**
 * The registry's storage failed (connection lost, disk full, constraint, a failed commit). Whatever
 * the failed call was doing is rolled back; the caller may retry.
 */
public class StorageException extends RuntimeException {
    public StorageException(String message, Throwable cause) {
        super(message, cause);
    }

    public StorageException(String message) {
        super(message);
    }
}
