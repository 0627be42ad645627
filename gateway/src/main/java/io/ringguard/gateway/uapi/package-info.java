/**
 * The cross-platform userspace API (UAPI) that {@code wg} and {@code wg-quick} speak to
 * wireguard-go, as a pure codec: no sockets, no threads, no clock.
 *
 * <p>Flow of one request, as the socket layer drives it:
 *
 * <ol>
 *   <li>feed each line (without its {@code \n}) to a {@link io.ringguard.gateway.uapi.UapiRequestParser}
 *       until it reports the empty line; it validates every key, value and ordering rule and
 *       keeps at most {@link io.ringguard.gateway.uapi.UapiLimits} worth of parsed operations;
 *   <li>{@code get=1}: {@link io.ringguard.gateway.uapi.UapiResponseWriter#writeGet} prints the
 *       current configuration plus per-peer {@link io.ringguard.gateway.uapi.PeerStats};
 *   <li>{@code set=1}: {@link io.ringguard.gateway.uapi.UapiSet#apply} turns the current {@link
 *       io.ringguard.dataplane.config.DeviceConfig} and the operations into either a whole new
 *       configuration or an errno, never half of one, and the caller publishes it;
 *   <li>errors reply {@code errno=N} and an empty line ({@link io.ringguard.gateway.uapi.UapiErrno}).
 * </ol>
 *
 * <p>Where RingGuard departs from wireguard-go, on purpose: a {@code set} is atomic (wireguard-go
 * applies lines as it reads them, so a bad line leaves the earlier ones applied); a line without
 * {@code =} is {@code EINVAL} rather than {@code EPROTO} (CONTRACTS.md section 2 names only 22, 98
 * and 5); and requests are bounded in line length, lines, peers and allowed IPs.
 */
package io.ringguard.gateway.uapi;
