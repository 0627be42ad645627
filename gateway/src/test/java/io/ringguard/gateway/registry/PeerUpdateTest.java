package io.ringguard.gateway.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.ringguard.dataplane.config.Cidr;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

class PeerUpdateTest {
    @Test
    void shouldNameChangedPartsWithoutThePresharedKey() {
        byte[] psk = new byte[32];
        Arrays.fill(psk, (byte) 0x5a);
        String text = PeerUpdate.NONE
                .withPresharedKey(psk)
                .withAllowanceBytes(1_000_000)
                .withAllowedIps(List.of(Cidr.parse("198.18.7.0/24")))
                .toString();

        assertEquals("preshared key set, allowance 1000000 bytes, allowed IPs [198.18.7.0/24]", text);
        assertFalse(text.contains(Base64.getEncoder().encodeToString(psk)), text);
        assertFalse(text.contains(HexFormat.of().formatHex(psk)), text);
    }

    @Test
    void shouldSayWhatWasRemovedOrCleared() {
        assertEquals("no change", PeerUpdate.NONE.toString());
        assertEquals(
                "preshared key removed, allowance unlimited, endpoint cleared",
                PeerUpdate.NONE
                        .withPresharedKey(null)
                        .withAllowanceBytes(PeerRecord.UNLIMITED)
                        .withEndpoint(null)
                        .toString());
    }
}
