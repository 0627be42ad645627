package io.ringguard.membership.org;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringguard.membership.identity.Ed25519Authenticator;
import io.ringguard.membership.identity.NodeKey;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

class OrgMessageTest {
    private final OrgKeys org = OrgKeys.generate();
    private final Ed25519Authenticator verifier = Ed25519Authenticator.generate();
    private final NodeKey node = Ed25519Authenticator.generate().publicKey();

    @Test
    void shouldRoundTripThroughBase64AndVerify() {
        OrgMessage vouch = OrgMessage.vouch(org, node, 1_700_000_000_000L);
        OrgMessage back = OrgMessage.fromBase64(vouch.toBase64());
        assertEquals(OrgMessage.KIND_VOUCH, back.kind());
        assertEquals(node, back.subject());
        assertEquals(1_700_000_000_000L, back.sequence());
        assertTrue(back.verify(org.publicKey(), verifier));
        OrgMessage alias = OrgMessage.fromBase64(
                OrgMessage.alias(org, node, "edge-fra-1", 2).toBase64());
        assertEquals("edge-fra-1", alias.alias());
        assertTrue(alias.verify(org.publicKey(), verifier));
    }

    @Test
    void shouldRejectMessagesSignedByAnotherKey() {
        OrgMessage forged = OrgMessage.vouch(OrgKeys.generate(), node, 5);
        OrgRegistry registry = new OrgRegistry(org.publicKey(), verifier, 16);
        assertEquals(OrgRegistry.Result.BAD_SIGNATURE, registry.apply(forged));
        byte[] sig = forged.signature();
        assertFalse(registry.isVouched(node, 5, new UnsafeBuffer(sig), 0));
    }

    @Test
    void shouldIgnoreReplayedVouchesAndAliases() {
        OrgRegistry registry = new OrgRegistry(org.publicKey(), verifier, 16);
        OrgMessage v = OrgMessage.vouch(org, node, 10);
        assertEquals(OrgRegistry.Result.APPLIED, registry.apply(v));
        assertEquals(OrgRegistry.Result.REPLAYED, registry.apply(v));
        assertEquals(OrgRegistry.Result.REPLAYED, registry.apply(OrgMessage.vouch(org, node, 9)));
        assertEquals(OrgRegistry.Result.APPLIED, registry.apply(OrgMessage.alias(org, node, "new", 3)));
        assertEquals(OrgRegistry.Result.REPLAYED, registry.apply(OrgMessage.alias(org, node, "old", 2)));
        assertEquals("new", registry.alias(node));
    }

    @Test
    void shouldKeepRevocationPermanent() {
        OrgRegistry registry = new OrgRegistry(org.publicKey(), verifier, 16);
        OrgMessage vouch = OrgMessage.vouch(org, node, 10);
        registry.apply(vouch);
        assertEquals(OrgRegistry.Result.APPLIED, registry.apply(OrgMessage.revoke(org, node, 11)));
        assertEquals(OrgRegistry.Result.REPLAYED, registry.apply(OrgMessage.revoke(org, node, 11)));
        OrgMessage newer = OrgMessage.vouch(org, node, 99);
        assertEquals(OrgRegistry.Result.REVOKED, registry.apply(newer));
        assertFalse(registry.isVouched(node, 99, new UnsafeBuffer(newer.signature()), 0));
        assertTrue(registry.isRevoked(node));
    }

    @Test
    void shouldRejectMalformedPrintableMessagesWithOneClearLine() {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> OrgMessage.fromBase64("not base64!"));
        assertEquals("org message is not base64", e.getMessage());
        byte[] truncated =
                java.util.Arrays.copyOf(OrgMessage.vouch(org, node, 1).toBytes(), 100);
        String text = java.util.Base64.getEncoder().encodeToString(truncated);
        assertEquals(
                "malformed org message (100 bytes)",
                assertThrows(IllegalArgumentException.class, () -> OrgMessage.fromBase64(text))
                        .getMessage());
    }
}
