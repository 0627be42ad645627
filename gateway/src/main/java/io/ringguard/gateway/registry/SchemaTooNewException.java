package io.ringguard.gateway.registry;

/**
 * The database was migrated by a newer RingGuard than this one: starting would risk writing rows
 * that the newer schema reads differently, so the registry refuses to open.
 */
public final class SchemaTooNewException extends StorageException {
    public SchemaTooNewException(int databaseVersion, int knownVersion) {
        super("the registry database has schema version " + databaseVersion + " but this RingGuard knows only up to "
                + knownVersion + "; upgrade RingGuard or point Storage at another database");
    }
}
