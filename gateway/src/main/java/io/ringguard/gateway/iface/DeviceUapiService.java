package io.ringguard.gateway.iface;

import io.ringguard.dataplane.config.PublicKey;
import io.ringguard.dataplane.device.Device;
import io.ringguard.dataplane.device.Peer;
import io.ringguard.gateway.uapi.PeerStats;
import io.ringguard.gateway.uapi.SetResult;
import io.ringguard.gateway.uapi.UapiErrno;
import io.ringguard.gateway.uapi.UapiRequest;
import io.ringguard.gateway.uapi.UapiResponseWriter;
import io.ringguard.gateway.uapi.UapiService;
import io.ringguard.gateway.uapi.UapiSet;
import java.io.IOException;
import java.io.Writer;

/**
 * The UAPI on top of a running {@link Device}: {@code set} computes the new configuration from the
 * current one and applies it on the control thread in one step; {@code get} reports the
 * configuration with learned endpoints and live counters.
 */
public final class DeviceUapiService implements UapiService {
    private final Device device;

    public DeviceUapiService(Device device) {
        this.device = device;
    }

    @Override
    public void writeGet(Writer out) throws IOException {
        UapiResponseWriter.writeGet(out, device.config(), device.listenPort(), this::stats);
    }

    private PeerStats stats(PublicKey key) {
        Peer peer = device.peer(key);
        if (peer == null) {
            return PeerStats.NONE;
        }
        return PeerStats.of(peer.lastHandshakeEpochNs(), peer.rxBytes(), peer.txBytes());
    }

    @Override
    public int set(UapiRequest.Set request) {
        try {
            return device.update(current -> switch (UapiSet.apply(current, request)) {
                case SetResult.Applied applied ->
                    new Device.ConfigUpdate(applied.config(), applied.removedPeers(), UapiErrno.OK);
                case SetResult.Rejected rejected -> Device.ConfigUpdate.rejected(rejected.errno());
            });
        } finally {
            request.wipe();
        }
    }
}
