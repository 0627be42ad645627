package io.ringguard.gateway.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

/**
 * Looks up a DNS name given as a peer's {@code Endpoint} (or a non-literal {@code AdminListen}).
 * Injected so that tests never touch DNS; the parser calls it once per name, on the thread that
 * parses.
 */
@FunctionalInterface
public interface HostResolver {
    /** The system resolver ({@link InetAddress#getAllByName}), which may block on DNS. */
    HostResolver SYSTEM = host -> List.of(InetAddress.getAllByName(host));

    /**
     * The addresses of {@code host}, in preference order; the first is used for an endpoint.
     *
     * @throws UnknownHostException if the name does not resolve
     */
    List<InetAddress> resolve(String host) throws UnknownHostException;
}
