package io.ringguard.gateway.registry;

/**
 * What one {@link AccountingSync#sync} applied.
 *
 * @param peers peers whose totals grew in storage
 * @param rxBytes received bytes applied, all peers
 * @param txBytes sent bytes applied, all peers
 * @param orphanedPeers peers with a delta but no row any more (deleted meanwhile): delta dropped
 * @param recoveredCommit true when an earlier sync that reported failure had in fact committed, and
 *     its delta was taken as applied instead of being applied again
 */
public record SyncResult(int peers, long rxBytes, long txBytes, int orphanedPeers, boolean recoveredCommit) {}
