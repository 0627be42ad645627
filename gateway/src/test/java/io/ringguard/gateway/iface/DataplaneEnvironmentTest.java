package io.ringguard.gateway.iface;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringguard.dataplane.device.DeviceSettings;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DataplaneEnvironmentTest {
    private final DeviceSettings defaults = DeviceSettings.defaults(1420);

    @Test
    void shouldLeaveSettingsAloneWhenUnsetOrBlank() {
        assertSame(defaults, DataplaneEnvironment.apply(defaults, name -> null));
        assertSame(defaults, DataplaneEnvironment.apply(defaults, Map.of("RINGGUARD_OFFLOADS", " ")::get));
    }

    @Test
    void shouldApplyWaitStrategyAndOffloads() {
        Map<String, String> env = Map.of("RINGGUARD_WAIT_STRATEGY", "phased", "RINGGUARD_OFFLOADS", "tun");
        DeviceSettings applied = DataplaneEnvironment.apply(defaults, env::get);
        assertEquals(DeviceSettings.RingWait.PHASED, applied.waitStrategy());
        assertTrue(applied.tunOffloads());
        assertFalse(applied.udpGso());
    }

    @Test
    void shouldNameTheVariableThatIsWrong() {
        IllegalArgumentException wait = assertThrows(
                IllegalArgumentException.class,
                () -> DataplaneEnvironment.apply(defaults, Map.of("RINGGUARD_WAIT_STRATEGY", "spin")::get));
        assertTrue(wait.getMessage().startsWith("RINGGUARD_WAIT_STRATEGY: "), wait.getMessage());
        IllegalArgumentException offloads = assertThrows(
                IllegalArgumentException.class,
                () -> DataplaneEnvironment.apply(defaults, Map.of("RINGGUARD_OFFLOADS", "tso")::get));
        assertTrue(offloads.getMessage().startsWith("RINGGUARD_OFFLOADS: "), offloads.getMessage());
    }
}
