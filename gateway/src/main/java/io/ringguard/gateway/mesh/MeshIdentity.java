package io.ringguard.gateway.mesh;

import io.ringguard.gateway.config.ConfigException;
import io.ringguard.gateway.config.GatewayConfig;
import io.ringguard.gateway.config.GatewaySettings;
import io.ringguard.membership.identity.Ed25519Authenticator;
import io.ringguard.membership.identity.NodeKey;
import io.ringguard.membership.org.OrgMessage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Arrays;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who this gateway is in the mesh: its node key (Ed25519, from {@code NodeKeyFile}, created with mode
 * 0600 on first start), the org key that admits members ({@code OrgPublicKey}) and the org's vouch
 * for the node key ({@code VouchFile}). Everything is checked before the gateway creates anything, so
 * a node that could never join fails with exit 2 and a line naming the key to fix.
 *
 * @param signer signs this node's gossip; owned by the mesh thread once the mesh starts
 */
public record MeshIdentity(Ed25519Authenticator signer, NodeKey orgKey, OrgMessage vouch) {
    private static final Logger LOG = LoggerFactory.getLogger(MeshIdentity.class);

    /** The largest vouch file read; a vouch is 148 base64 characters. */
    private static final int MAX_VOUCH_FILE_BYTES = 4096;

    /**
     * Loads (or creates) the node key and checks the vouch against it and the org key.
     *
     * @throws ConfigException naming the config file and the key to fix (exit 2)
     */
    public static MeshIdentity load(Path configFile, GatewayConfig config) throws ConfigException {
        GatewaySettings g = config.gateway();
        if (config.device().listenPort() == 0) {
            throw new ConfigException(
                    configFile,
                    ConfigException.WHOLE_FILE,
                    "ListenPort",
                    "Gossip needs a fixed ListenPort: members send WireGuard packets to each other's ListenPort");
        }
        if (g.orgPublicKey().isEmpty()) {
            throw new ConfigException(
                    configFile,
                    ConfigException.WHOLE_FILE,
                    "OrgPublicKey",
                    "Gossip needs OrgPublicKey, the org key that admits members");
        }
        NodeKey orgKey = NodeKey.of(g.orgPublicKey().get().bytes());
        Path keyFile = g.nodeKeyFileOrDefault(config.interfaceName());
        Ed25519Authenticator signer = loadOrCreate(configFile, keyFile);
        NodeKey self = signer.publicKey();
        if (g.vouchFile().isEmpty()) {
            throw new ConfigException(
                    configFile,
                    ConfigException.WHOLE_FILE,
                    "VouchFile",
                    "Gossip needs VouchFile; vouch for this node with: ringguard org vouch --org-key ORG_KEY_FILE "
                            + self.toBase64() + " > VOUCH_FILE");
        }
        Path vouchFile = g.vouchFile().get();
        OrgMessage vouch;
        try {
            if (Files.size(vouchFile) > MAX_VOUCH_FILE_BYTES) {
                throw new ConfigException(
                        configFile, ConfigException.WHOLE_FILE, "VouchFile", vouchFile + " is too large");
            }
            vouch = OrgMessage.fromBase64(Files.readString(vouchFile, StandardCharsets.US_ASCII));
        } catch (IOException | IllegalArgumentException e) {
            throw new ConfigException(
                    configFile,
                    ConfigException.WHOLE_FILE,
                    "VouchFile",
                    vouchFile + ": " + e.getMessage() + "; vouch for this node with: ringguard org vouch --org-key"
                            + " ORG_KEY_FILE " + self.toBase64() + " > " + vouchFile);
        }
        String problem = null;
        if (vouch.kind() != OrgMessage.KIND_VOUCH) {
            problem = "holds a " + vouch + ", not a vouch";
        } else if (!vouch.subject().equals(self)) {
            problem = "vouches for " + vouch.subject().toBase64() + ", but this node's key is " + self.toBase64();
        } else if (!vouch.verify(orgKey, signer)) {
            problem = "is not signed by OrgPublicKey " + orgKey.toBase64();
        }
        if (problem != null) {
            signer.destroy();
            throw new ConfigException(configFile, ConfigException.WHOLE_FILE, "VouchFile", vouchFile + " " + problem);
        }
        return new MeshIdentity(signer, orgKey, vouch);
    }

    private static Ed25519Authenticator loadOrCreate(Path configFile, Path keyFile) throws ConfigException {
        byte[] key = null;
        try {
            if (!Files.exists(keyFile)) {
                key = new byte[KeyFile.KEY_BYTES];
                new SecureRandom().nextBytes(key);
                KeyFile.create(keyFile, key);
                Ed25519Authenticator created = Ed25519Authenticator.fromPrivateKey(key);
                LOG.info(
                        "created node key {} for {}",
                        keyFile,
                        created.publicKey().toBase64());
                return created;
            }
            key = KeyFile.read(keyFile);
            return Ed25519Authenticator.fromPrivateKey(key);
        } catch (IOException e) {
            throw new ConfigException(configFile, ConfigException.WHOLE_FILE, "NodeKeyFile", e.getMessage(), e);
        } finally {
            if (key != null) {
                Arrays.fill(key, (byte) 0);
            }
        }
    }
}
