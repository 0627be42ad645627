package io.ringguard.gateway.uapi;

import io.ringguard.dataplane.config.DeviceConfig;
import io.ringguard.dataplane.config.PublicKey;
import java.util.Set;

/** What a {@code set=1} produced: a whole new configuration, or an errno and no change. */
public sealed interface SetResult {
    /** The value for the {@code errno=} reply line. */
    int errno();

    /**
     * The request applied.
     *
     * @param config the new configuration, to publish whole
     * @param removedPeers peers of the previous configuration that the request removed
     *     ({@code remove=true}, {@code replace_peers=true}, or taking their key as the device's
     *     own), even if it then added them again: their sessions and counters end, as in
     *     wireguard-go. Every other peer present in both configurations keeps its sessions.
     */
    record Applied(DeviceConfig config, Set<PublicKey> removedPeers) implements SetResult {
        public Applied {
            removedPeers = Set.copyOf(removedPeers);
        }

        @Override
        public int errno() {
            return UapiErrno.OK;
        }
    }

    /** The request was rejected whole; {@code message} is for the log, never sent to the client. */
    record Rejected(int errno, String message) implements SetResult {}
}
