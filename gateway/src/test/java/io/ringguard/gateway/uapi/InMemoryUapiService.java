package io.ringguard.gateway.uapi;

import io.ringguard.dataplane.config.DeviceConfig;
import io.ringguard.dataplane.config.PublicKey;
import java.io.IOException;
import java.io.Writer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A {@link UapiService} over a {@link DeviceConfig} held in memory: {@code set} goes through {@link
 * UapiSet#apply} with a listen-port hook the test chooses, and every request is kept for assertions
 * (so, unlike the real service, key material is not wiped).
 */
final class InMemoryUapiService implements UapiService {
    private final ListenPortHook hook;
    private final Map<PublicKey, PeerStats> stats = new ConcurrentHashMap<>();
    private final List<UapiRequest.Set> requests = new ArrayList<>();
    private DeviceConfig config;

    InMemoryUapiService(DeviceConfig config, ListenPortHook hook) {
        this.config = config;
        this.hook = hook;
    }

    InMemoryUapiService(DeviceConfig config) {
        this(config, ListenPortHook.ACCEPT_ALL);
    }

    synchronized DeviceConfig config() {
        return config;
    }

    synchronized List<UapiRequest.Set> requests() {
        return List.copyOf(requests);
    }

    void stats(PublicKey key, PeerStats peerStats) {
        stats.put(key, peerStats);
    }

    @Override
    public synchronized void writeGet(Writer out) throws IOException {
        UapiResponseWriter.writeGet(out, config, config.listenPort(), stats::get);
    }

    @Override
    public synchronized int set(UapiRequest.Set request) {
        requests.add(request);
        SetResult result = UapiSet.apply(config, request, hook);
        if (result instanceof SetResult.Applied applied) {
            config = applied.config();
        }
        return result.errno();
    }
}
