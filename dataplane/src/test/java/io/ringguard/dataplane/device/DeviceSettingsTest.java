package io.ringguard.dataplane.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class DeviceSettingsTest {
    private final DeviceSettings defaults = DeviceSettings.defaults(1420);

    @Test
    void shouldEnableOffloadsAndWarmUpByDefault() {
        assertTrue(defaults.tunOffloads());
        assertTrue(defaults.udpGso());
        assertTrue(defaults.warmUp());
    }

    @Test
    void shouldParseOffloadLists() {
        DeviceSettings none = defaults.withOffloads("none");
        assertFalse(none.tunOffloads());
        assertFalse(none.udpGso());
        DeviceSettings tun = defaults.withOffloads(" TUN ");
        assertTrue(tun.tunOffloads());
        assertFalse(tun.udpGso());
        DeviceSettings gso = none.withOffloads("gso");
        assertFalse(gso.tunOffloads());
        assertTrue(gso.udpGso());
        assertEquals(defaults, none.withOffloads("tun,gso"));
        assertEquals(defaults, none.withOffloads("all"));
        assertEquals(defaults.mtu(), none.mtu(), "everything else is kept");
    }

    @Test
    void shouldRejectUnknownOffload() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> defaults.withOffloads("tso"));
        assertTrue(e.getMessage().contains("'tso'"), e.getMessage());
    }

    @Test
    void shouldKeepOffloadsOffForTheShortConstructor() {
        DeviceSettings plain = new DeviceSettings(
                1420,
                1,
                256,
                1024,
                16,
                64 * 1024,
                1024,
                DeviceSettings.RingWait.BLOCKING,
                DeviceSettings.DEFAULT_MAX_PEERS);
        assertFalse(plain.tunOffloads());
        assertFalse(plain.udpGso());
        assertFalse(plain.warmUp());
    }

    @Test
    void shouldRunStagesInlineByDefaultOnlyWithOneWorker() {
        DeviceSettings defaults = DeviceSettings.defaults(1420);
        assertEquals(
                defaults.encryptWorkers() == 1 ? DeviceSettings.RingWait.INLINE : DeviceSettings.RingWait.BLOCKING,
                defaults.waitStrategy());
        assertEquals(DeviceSettings.RingWait.INLINE, DeviceSettings.RingWait.parse("Inline"));
    }
}
