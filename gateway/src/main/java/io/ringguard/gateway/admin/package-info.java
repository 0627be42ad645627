/**
 * The admin and registration API (CONTRACTS.md section 5) and the glue between the peer registry and
 * the live dataplane.
 *
 * <ul>
 *   <li>{@link io.ringguard.gateway.admin.AdminServer}: JSON over HTTP on {@code AdminListen}, bearer
 *       token ({@link io.ringguard.gateway.admin.BearerToken}) when one is configured.
 *   <li>{@link io.ringguard.gateway.admin.PeerService}: register, list, get, update, remove, each
 *       all-or-nothing across dataplane, storage and address pool; merges the registry with the config
 *       file's peers at start and reload.
 *   <li>{@link io.ringguard.gateway.admin.GatewayAccounting}: attaches each registered dataplane peer's
 *       counters to its accounting handle, blocks peers whose allowance is used up, syncs to storage
 *       every 10 s and at shutdown.
 * </ul>
 */
package io.ringguard.gateway.admin;
