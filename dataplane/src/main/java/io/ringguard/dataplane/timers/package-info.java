/**
 * Per-peer WireGuard timers ({@link io.ringguard.dataplane.timers.PeerTimers}): retransmit, keepalive,
 * new-handshake, key-zeroing and persistent-keepalive deadlines with wireguard-go's semantics, run by
 * the control thread from published {@link io.ringguard.dataplane.timers.PeerActivity} timestamps and
 * a time it passes in. No threads, no real timers, no allocation.
 */
package io.ringguard.dataplane.timers;
