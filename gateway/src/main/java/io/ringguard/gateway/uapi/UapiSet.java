package io.ringguard.gateway.uapi;

import io.ringguard.dataplane.config.Cidr;
import io.ringguard.dataplane.config.DeviceConfig;
import io.ringguard.dataplane.config.PeerConfig;
import io.ringguard.dataplane.config.PublicKey;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * {@code set=1} as a pure function: the current configuration and a parsed request in, a whole new
 * configuration or an errno out. Nothing is applied here; the caller publishes the result.
 *
 * <p>Each operation means what it means in wireguard-go's {@code IpcSetOperation}, in request
 * order:
 *
 * <ul>
 *   <li>a {@code public_key} equal to the device's own public key selects nobody: its lines are
 *       validated and then ignored; setting a {@code private_key} removes a peer with the matching
 *       public key;
 *   <li>{@code update_only=true} undoes the creation of a peer that did not exist before its
 *       {@code public_key} line, so the rest of its lines are ignored;
 *   <li>{@code remove=true} removes the peer and ignores the rest of its lines;
 *   <li>{@code allowed_ip} moves a prefix from whichever peer had it, as the allowed-IPs trie does;
 *       {@code allowed_ip=-CIDR} removes it only from the selected peer.
 * </ul>
 *
 * <p>Stateless; any thread, but set requests must be applied one at a time by one thread (the
 * control thread) so that each starts from the configuration the previous one produced.
 */
public final class UapiSet {
    private UapiSet() {}

    /** Applies {@code request} with no listen port veto. */
    public static SetResult apply(DeviceConfig current, UapiRequest.Set request) {
        return apply(current, request, ListenPortHook.ACCEPT_ALL);
    }

    /** Applies {@code request}; {@code hook} may veto a listen port change (e.g. EADDRINUSE). */
    public static SetResult apply(DeviceConfig current, UapiRequest.Set request, ListenPortHook hook) {
        Working w = new Working(current);
        try {
            for (SetOp op : request.ops()) {
                w.apply(op);
            }
            DeviceConfig next = w.build();
            if (next.listenPort() != current.listenPort()) {
                int errno = hook.onListenPortChange(next.listenPort());
                if (errno != UapiErrno.OK) {
                    return new SetResult.Rejected(errno, "cannot use listen port " + next.listenPort());
                }
            }
            return new SetResult.Applied(next, w.removed);
        } catch (IllegalArgumentException e) {
            // The parser validated every value; reaching this is a bug, but still nothing is applied.
            return new SetResult.Rejected(UapiErrno.EINVAL, e.getMessage());
        } finally {
            w.wipe();
        }
    }

    /** The configuration being built; discarded if anything fails, so the current one never changes. */
    private static final class Working {
        private final DeviceConfig current;
        private final DeviceConfig.Builder device;
        private final LinkedHashMap<PublicKey, PeerConfig.Builder> peers = new LinkedHashMap<>();
        /** Which peer holds each prefix, so moving a prefix costs O(1) rather than a scan of all peers. */
        private final Map<Cidr, PublicKey> owners = new HashMap<>();

        private final Set<PublicKey> removed = new LinkedHashSet<>();
        private PublicKey ownKey;
        private PublicKey selectedKey;
        /** The selected peer, or null when its lines are to be ignored (removed, own key, update_only). */
        private PeerConfig.Builder selected;

        private boolean selectedCreated;

        Working(DeviceConfig current) {
            this.current = current;
            this.device = current.toBuilder();
            this.ownKey = current.publicKey().orElse(null);
            for (PeerConfig peer : current.peers().values()) {
                peers.put(peer.publicKey(), peer.toBuilder());
                for (Cidr cidr : peer.allowedIps()) {
                    owners.put(cidr, peer.publicKey());
                }
            }
        }

        void apply(SetOp op) {
            switch (op) {
                case SetOp.PrivateKey(byte[] key) -> {
                    device.privateKey(key);
                    ownKey = device.publicKeyOfPrivateKey().orElse(null);
                    if (ownKey != null) {
                        removePeer(ownKey);
                    }
                }
                case SetOp.ListenPort(int port) -> device.listenPort(port);
                case SetOp.Fwmark(int mark) -> device.fwmark(mark);
                case SetOp.ReplacePeers() -> {
                    for (PublicKey key : peers.keySet()) {
                        noteRemoved(key);
                    }
                    peers.values().forEach(PeerConfig.Builder::wipe);
                    peers.clear();
                    owners.clear();
                }
                case SetOp.Peer(PublicKey key) -> select(key);
                case SetOp.UpdateOnly() -> {
                    if (selected != null && selectedCreated) {
                        removePeer(selectedKey);
                    }
                }
                case SetOp.RemovePeer() -> {
                    if (selected != null) {
                        removePeer(selectedKey);
                    }
                }
                case SetOp.PresharedKey(byte[] key) -> {
                    if (selected != null) {
                        selected.presharedKey(key);
                    }
                }
                case SetOp.SetEndpoint(var endpoint) -> {
                    if (selected != null) {
                        selected.endpoint(endpoint);
                    }
                }
                case SetOp.PersistentKeepalive(int seconds) -> {
                    if (selected != null) {
                        selected.persistentKeepaliveSeconds(seconds);
                    }
                }
                case SetOp.ReplaceAllowedIps() -> {
                    if (selected != null) {
                        selected.allowedIps().forEach(owners::remove);
                        selected.clearAllowedIps();
                    }
                }
                case SetOp.AddAllowedIp(Cidr cidr) -> {
                    if (selected != null) {
                        PublicKey previous = owners.put(cidr, selectedKey);
                        if (previous != null && !previous.equals(selectedKey)) {
                            peers.get(previous).removeAllowedIp(cidr);
                        }
                        selected.addAllowedIp(cidr);
                    }
                }
                case SetOp.RemoveAllowedIp(Cidr cidr) -> {
                    if (selected != null && selected.removeAllowedIp(cidr)) {
                        owners.remove(cidr);
                    }
                }
            }
        }

        private void select(PublicKey key) {
            selectedKey = key;
            if (key.equals(ownKey)) {
                selected = null;
                return;
            }
            selected = peers.get(key);
            selectedCreated = selected == null;
            if (selectedCreated) {
                selected = PeerConfig.builder(key);
                peers.put(key, selected);
            }
        }

        private void removePeer(PublicKey key) {
            PeerConfig.Builder peer = peers.remove(key);
            if (peer != null) {
                peer.allowedIps().forEach(owners::remove);
                peer.wipe();
                noteRemoved(key);
            }
            if (key.equals(selectedKey)) {
                selected = null;
            }
        }

        private void noteRemoved(PublicKey key) {
            if (current.peers().containsKey(key)) {
                removed.add(key);
            }
        }

        DeviceConfig build() {
            device.clearPeers();
            for (PeerConfig.Builder peer : peers.values()) {
                device.putPeer(peer.build());
            }
            return device.build();
        }

        void wipe() {
            device.wipe();
            peers.values().forEach(PeerConfig.Builder::wipe);
        }
    }
}
