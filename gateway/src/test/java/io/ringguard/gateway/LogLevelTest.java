package io.ringguard.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class LogLevelTest {
    @Test
    void shouldMapWireguardGoLevels() {
        assertEquals(Optional.of("debug"), LogLevel.fromEnvironment(null, "verbose"));
        assertEquals(Optional.of("error"), LogLevel.fromEnvironment(null, "error"));
        assertEquals(Optional.of("off"), LogLevel.fromEnvironment(null, "Silent"));
    }

    @Test
    void shouldPreferRingguardLevelOverWireguardGoLevel() {
        assertEquals(Optional.of("warn"), LogLevel.fromEnvironment(" WARN ", "verbose"));
    }

    @Test
    void shouldIgnoreUnknownOrAbsentLevels() {
        assertEquals(Optional.empty(), LogLevel.fromEnvironment(null, null));
        assertEquals(Optional.empty(), LogLevel.fromEnvironment("loud", null));
        assertEquals(Optional.of("error"), LogLevel.fromEnvironment("loud", "error"));
        assertEquals(Optional.empty(), LogLevel.fromEnvironment(null, "chatty"));
    }
}
