/**
 * Cryptokey routing: the allowed-IPs longest-prefix-match table ({@link
 * io.ringguard.dataplane.allowedips.AllowedIps}) and its prefix value type ({@link
 * io.ringguard.dataplane.allowedips.IpPrefix}). The control thread writes; dataplane threads look up
 * without locks or allocation.
 */
package io.ringguard.dataplane.allowedips;
