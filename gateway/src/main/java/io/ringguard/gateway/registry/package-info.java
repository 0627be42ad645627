/**
 * The peer registry and its byte accounting (ARCHITECTURE.md "State that must survive"; CONTRACTS.md
 * section 5): registered peers with their keys, allowed IPs, pool addresses, endpoint, allowance and
 * consumed bytes, persisted in SQLite by default or PostgreSQL.
 *
 * <ul>
 *   <li>{@link io.ringguard.gateway.registry.RegistryStore}: storage, one transaction per call;
 *       {@link io.ringguard.gateway.registry.JdbcRegistryStore} for SQLite and PostgreSQL, with
 *       versioned migrations ({@code migrations/V00N__*.sql}) and one {@code SqlDialect} for the
 *       differences.
 *   <li>{@link io.ringguard.gateway.registry.PeerRegistry}: idempotent registration, update, removal;
 *       {@link io.ringguard.gateway.registry.AddressPool}: reserve, assign, release.
 *   <li>{@link io.ringguard.gateway.registry.AccountingSync}: take-delta / restore-on-error sync of the
 *       dataplane's counters ({@link io.ringguard.gateway.registry.CounterSource}), exactly once, one
 *       {@link io.ringguard.gateway.registry.AccountingHandle} per key; allowance queries.
 * </ul>
 */
package io.ringguard.gateway.registry;
