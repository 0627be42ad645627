package io.ringguard.gateway.mesh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringguard.gateway.config.ConfigException;
import io.ringguard.gateway.config.GatewayConfig;
import io.ringguard.gateway.config.GatewayConfigParser;
import io.ringguard.handshake.keys.Keys;
import io.ringguard.membership.identity.Ed25519Authenticator;
import io.ringguard.membership.identity.NodeKey;
import io.ringguard.membership.org.OrgKeys;
import io.ringguard.membership.org.OrgMessage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Node key file, org key and vouch are checked before the gateway creates anything. */
class MeshIdentityTest {
    @TempDir
    Path dir;

    private final OrgKeys org = OrgKeys.generate();

    private Path config(String gatewayExtra, int listenPort) throws Exception {
        Path file = dir.resolve("rgm0.conf");
        Files.writeString(
                file,
                "[Interface]\nPrivateKey = " + new String(Keys.toBase64(Keys.generatePrivateKey())) + "\nListenPort = "
                        + listenPort + "\nAddress = 198.19.0.1/24\n[Gateway]\nGossip = 198.18.0.1:51821\n"
                        + "NodeKeyFile = " + dir.resolve("node.key") + "\n" + gatewayExtra);
        return file;
    }

    private MeshIdentity load(Path file) throws Exception {
        GatewayConfig config = GatewayConfigParser.withSystemResolver().parse(file);
        return MeshIdentity.load(file, config);
    }

    @Test
    void shouldCreateTheNodeKeyWithMode0600AndNameItInTheMissingVouchError() throws Exception {
        Path file = config("OrgPublicKey = " + org.publicKey().toBase64() + "\n", 51820);

        ConfigException e = assertThrows(ConfigException.class, () -> load(file));

        Path key = dir.resolve("node.key");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(key)));
        byte[] privateKey = KeyFile.read(key);
        NodeKey node = Ed25519Authenticator.fromPrivateKey(privateKey).publicKey();
        assertTrue(e.getMessage().contains("VouchFile: "), e.getMessage());
        assertTrue(e.getMessage().contains(node.toBase64()), "the error tells what to vouch for: " + e.getMessage());
        assertTrue(!e.getMessage().contains(Files.readString(key).strip()), "the private key was printed");
    }

    @Test
    void shouldStartWithAVouchForThisNodeSignedByTheOrg() throws Exception {
        NodeKey node = nodeKey();
        Path vouch = Files.writeString(
                dir.resolve("vouch"), OrgMessage.vouch(org, node, 7).toBase64() + "\n");
        Path file = config("OrgPublicKey = " + org.publicKey().toBase64() + "\nVouchFile = " + vouch + "\n", 51820);

        MeshIdentity identity = load(file);

        assertEquals(node, identity.signer().publicKey());
        assertEquals(org.publicKey(), identity.orgKey());
        assertEquals(7, identity.vouch().sequence());
    }

    @Test
    void shouldRefuseAVouchForAnotherNodeOrByAnotherOrgOrARevocation() throws Exception {
        NodeKey node = nodeKey();
        NodeKey other = Ed25519Authenticator.generate().publicKey();
        String orgLine = "OrgPublicKey = " + org.publicKey().toBase64() + "\n";
        String[][] cases = {
            {OrgMessage.vouch(org, other, 1).toBase64(), "vouches for " + other.toBase64()},
            {OrgMessage.vouch(OrgKeys.generate(), node, 1).toBase64(), "is not signed by OrgPublicKey"},
            {OrgMessage.revoke(org, node, 1).toBase64(), "not a vouch"},
            {"garbage", "malformed org message"},
            {"#", "not base64"},
        };
        for (String[] c : cases) {
            Path vouch = Files.writeString(dir.resolve("vouch"), c[0]);
            Path file = config(orgLine + "VouchFile = " + vouch + "\n", 51820);
            ConfigException e = assertThrows(ConfigException.class, () -> load(file));
            assertTrue(e.getMessage().contains("VouchFile: ") && e.getMessage().contains(c[1]), e.getMessage());
        }
    }

    @Test
    void shouldNeedOrgPublicKeyAndAFixedListenPort() throws Exception {
        ConfigException noOrg = assertThrows(ConfigException.class, () -> load(config("", 51820)));
        assertTrue(noOrg.getMessage().contains("OrgPublicKey: "), noOrg.getMessage());

        ConfigException noPort = assertThrows(
                ConfigException.class,
                () -> load(config("OrgPublicKey = " + org.publicKey().toBase64() + "\n", 0)));
        assertTrue(noPort.getMessage().contains("ListenPort: "), noPort.getMessage());
    }

    @Test
    void shouldRefuseANodeKeyFileOthersCanRead() throws Exception {
        nodeKey();
        Files.setPosixFilePermissions(dir.resolve("node.key"), PosixFilePermissions.fromString("rw-r--r--"));
        Path file = config("OrgPublicKey = " + org.publicKey().toBase64() + "\n", 51820);

        ConfigException e = assertThrows(ConfigException.class, () -> load(file));

        assertTrue(e.getMessage().contains("NodeKeyFile: ") && e.getMessage().contains("chmod 600"), e.getMessage());
    }

    private NodeKey nodeKey() throws Exception {
        byte[] key = new byte[32];
        key[0] = 42;
        KeyFile.create(dir.resolve("node.key"), key);
        return Ed25519Authenticator.fromPrivateKey(key).publicKey();
    }
}
