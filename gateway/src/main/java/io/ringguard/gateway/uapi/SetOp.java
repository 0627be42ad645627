package io.ringguard.gateway.uapi;

import io.ringguard.dataplane.config.Cidr;
import io.ringguard.dataplane.config.Endpoint;
import io.ringguard.dataplane.config.PublicKey;
import java.util.Arrays;

/**
 * One validated line of a {@code set=1} request. The parser has checked syntax, values and order
 * (device lines before the first {@code public_key=}); what a line does to the configuration is
 * decided by {@link UapiSet#apply}, in request order.
 */
public sealed interface SetOp {
    /** {@code private_key=HEX}; 32 zero bytes remove the key. Prints no key material. */
    record PrivateKey(byte[] key) implements SetOp {
        @Override
        public String toString() {
            return "PrivateKey[(hidden)]";
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof PrivateKey other && Arrays.equals(key, other.key);
        }

        @Override
        public int hashCode() {
            return 1;
        }
    }

    /** {@code listen_port=N}, 0 to 65535. */
    record ListenPort(int port) implements SetOp {}

    /** {@code fwmark=N}, unsigned 32 bits; 0 = off. */
    record Fwmark(int mark) implements SetOp {}

    /** {@code replace_peers=true}. */
    record ReplacePeers() implements SetOp {}

    /** {@code public_key=HEX}: the following lines are about this peer. */
    record Peer(PublicKey key) implements SetOp {}

    /** {@code remove=true}. */
    record RemovePeer() implements SetOp {}

    /** {@code update_only=true}: do not create the peer if it does not exist. */
    record UpdateOnly() implements SetOp {}

    /** {@code preshared_key=HEX}; 32 zero bytes remove the key. Prints no key material. */
    record PresharedKey(byte[] key) implements SetOp {
        @Override
        public String toString() {
            return "PresharedKey[(hidden)]";
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof PresharedKey other && Arrays.equals(key, other.key);
        }

        @Override
        public int hashCode() {
            return 2;
        }
    }

    /** {@code endpoint=IP:PORT}. */
    record SetEndpoint(Endpoint endpoint) implements SetOp {}

    /** {@code persistent_keepalive_interval=N}, 0 to 65535 seconds; 0 = off. */
    record PersistentKeepalive(int seconds) implements SetOp {}

    /** {@code replace_allowed_ips=true}. */
    record ReplaceAllowedIps() implements SetOp {}

    /** {@code allowed_ip=CIDR}. */
    record AddAllowedIp(Cidr cidr) implements SetOp {}

    /** {@code allowed_ip=-CIDR}. */
    record RemoveAllowedIp(Cidr cidr) implements SetOp {}
}
