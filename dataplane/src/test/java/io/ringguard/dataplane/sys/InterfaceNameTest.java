package io.ringguard.dataplane.sys;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class InterfaceNameTest {
    @Test
    void shouldAcceptNamesTheKernelAccepts() {
        for (final String name : new String[] {"wg0", "rgt250", "tun%d", "a", "fifteen-chars-x"}) {
            assertDoesNotThrow(() -> LinuxTun.checkInterfaceName(name), name);
        }
    }

    @Test
    void shouldRejectNamesTheKernelRejectsWithAReason() {
        for (final String name : new String[] {"", ".", "..", "sixteen-chars-xx", "a/b", "a:b", "a b", "a\tb"}) {
            final IllegalArgumentException e =
                    assertThrows(IllegalArgumentException.class, () -> LinuxTun.checkInterfaceName(name), name);
            assertTrue(e.getMessage().startsWith("interface name"), e.getMessage());
        }
    }
}
