/**
 * Process lifecycle of the daemon: wireguard-go's daemonizing ({@link
 * io.ringguard.gateway.daemon.Daemonizer}) and the signals that stop and reload it ({@link
 * io.ringguard.gateway.daemon.SignalHandling}). Library code; the CLI decides when to use it.
 */
package io.ringguard.gateway.daemon;
