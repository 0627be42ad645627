package io.ringguard.gateway.mesh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringguard.gateway.Main;
import io.ringguard.membership.identity.Ed25519Authenticator;
import io.ringguard.membership.identity.NodeKey;
import io.ringguard.membership.org.OrgMessage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ringguard org keygen|pubkey|vouch|revoke}: output, files and exit codes. */
class OrgTest {
    @TempDir
    Path dir;

    private StringWriter out = new StringWriter();
    private StringWriter err = new StringWriter();

    private int run(String... args) {
        out = new StringWriter();
        err = new StringWriter();
        return Main.commandLine(new PrintWriter(out, true), new PrintWriter(err, true))
                .execute(args);
    }

    @Test
    void shouldCreateAnOrgKeyFile0600AndPrintOnlyItsPublicKey() throws Exception {
        Path key = dir.resolve("org.key");

        assertEquals(Main.EXIT_OK, run("org", "keygen", "--org-key", key.toString()));

        String pub = out.toString().strip();
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(key)));
        String secret = Files.readString(key).strip();
        assertFalse(out.toString().contains(secret) || err.toString().contains(secret), "the private key was printed");
        assertEquals(
                NodeKey.fromBase64(pub),
                Ed25519Authenticator.fromPrivateKey(KeyFile.read(key)).publicKey());
        assertEquals(Main.EXIT_OK, run("org", "pubkey", "--org-key", key.toString()));
        assertEquals(pub, out.toString().strip());
    }

    @Test
    void shouldNeverOverwriteAnOrgKey() throws Exception {
        Path key = dir.resolve("org.key");
        assertEquals(Main.EXIT_OK, run("org", "keygen", "--org-key", key.toString()));
        String before = Files.readString(key);

        assertEquals(Main.EXIT_FAILURE, run("org", "keygen", "--org-key", key.toString()));

        assertEquals(before, Files.readString(key));
        assertTrue(err.toString().contains("refusing to overwrite"), err.toString());
    }

    @Test
    void shouldPrintVouchAndRevokeSignedByTheOrgKey() throws Exception {
        Path key = dir.resolve("org.key");
        run("org", "keygen", "--org-key", key.toString());
        NodeKey org = NodeKey.fromBase64(out.toString().strip());
        NodeKey node = Ed25519Authenticator.generate().publicKey();
        Ed25519Authenticator verifier = Ed25519Authenticator.generate();

        assertEquals(Main.EXIT_OK, run("org", "vouch", "--org-key", key.toString(), node.toBase64()));
        OrgMessage vouch = OrgMessage.fromBase64(out.toString());
        assertEquals(Main.EXIT_OK, run("org", "revoke", "--org-key", key.toString(), node.toBase64()));
        OrgMessage revoke = OrgMessage.fromBase64(out.toString());

        assertEquals(OrgMessage.KIND_VOUCH, vouch.kind());
        assertEquals(OrgMessage.KIND_REVOKE, revoke.kind());
        assertEquals(node, vouch.subject());
        assertEquals(node, revoke.subject());
        assertTrue(vouch.verify(org, verifier));
        assertTrue(revoke.verify(org, verifier));
    }

    @Test
    void shouldExitTwoForABadNodeKeyOrAMissingOrExposedOrgKey() throws Exception {
        Path key = dir.resolve("org.key");
        run("org", "keygen", "--org-key", key.toString());
        String node = Ed25519Authenticator.generate().publicKey().toBase64();

        assertEquals(Main.EXIT_USAGE, run("org", "vouch", "--org-key", key.toString(), "not-a-key"));
        assertTrue(err.toString().contains("NODE_KEY"), err.toString());
        assertEquals(
                Main.EXIT_USAGE,
                run("org", "revoke", "--org-key", dir.resolve("none").toString(), node));
        assertTrue(err.toString().contains("--org-key"), err.toString());
        assertEquals(Main.EXIT_USAGE, run("org", "vouch", node));
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-r--r--"));
        assertEquals(Main.EXIT_USAGE, run("org", "vouch", "--org-key", key.toString(), node));
        assertTrue(err.toString().contains("chmod 600"), err.toString());
        assertEquals(Main.EXIT_USAGE, run("org"));
    }
}
