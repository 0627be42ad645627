package io.ringguard.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class SlotTest {
    private static final int EXIT_BUSY = 10;
    private static final int EXIT_CLAIMED = 11;

    @Test
    void shouldDeriveAddressesFromThePlan() {
        try (Slot slot = Slot.unclaimed(42)) {
            int k = 42;
            assertEquals("198.18." + k + ".1", slot.underlayAddress(0, 1));
            assertEquals("198.18." + k + ".6", slot.underlayAddress(1, 2));
            assertEquals("198.18." + k + ".253", slot.underlayAddress(63, 1));
            assertEquals("fd00:18:" + k + ":1::2", slot.underlayAddress6(1, 2));
            assertEquals("198.19." + k + ".1", slot.tunnelAddress(1));
            assertEquals("fd00:19:" + k + "::1", slot.tunnelAddress6(1));
            assertEquals("rgwg" + k, slot.wireguardInterfaceName());
            assertEquals("rglb42x63", slot.peerLinkName(63, false));
            assertTrue(Slot.unclaimed(Slot.LAST).peerLinkName(63, true).length() <= Slot.MAX_INTERFACE_NAME_LENGTH);
            assertThrows(IllegalArgumentException.class, () -> slot.underlayAddress(64, 1));
            assertThrows(IllegalArgumentException.class, () -> slot.interfaceName("fixture-prefix"));
        }
    }

    @Tag("integration")
    @Test
    @Timeout(60)
    void shouldNotHandOutAHeldSlotTwice() {
        Prerequisites.requireRoot();
        try (Slot slot = Slot.claim()) {
            assertNull(Slot.tryClaim(slot.index()));
        }
    }

    @Tag("integration")
    @Test
    @Timeout(60)
    void shouldNotHandOutASlotHeldByAnotherJvm() throws IOException, InterruptedException {
        Prerequisites.requireRoot();
        try (Slot slot = Slot.claim()) {
            String java = ProcessHandle.current().info().command().orElse("java");
            Process child = new ProcessBuilder(
                            java,
                            "-cp",
                            System.getProperty("java.class.path"),
                            SlotTest.class.getName(),
                            Integer.toString(slot.index()))
                    .inheritIO()
                    .start();
            assertTrue(child.waitFor(30, TimeUnit.SECONDS), "child JVM did not finish");
            assertEquals(EXIT_BUSY, child.exitValue());
        }
    }

    /** Child JVM for the test above: tries to claim slot {@code args[0]} and reports by exit code. */
    public static void main(String[] args) {
        Slot slot = Slot.tryClaim(Integer.parseInt(args[0]));
        if (slot != null) {
            slot.close();
            System.exit(EXIT_CLAIMED);
        }
        System.exit(EXIT_BUSY);
    }

    @Tag("integration")
    @Test
    @Timeout(60)
    void shouldRemoveLeftoversOfACrashedRunWhenClaimingTheSlot() throws IOException {
        Prerequisites.requireRoot();
        Prerequisites.requireProgram("ip");
        Slot first = Slot.claim();
        int k = first.index();
        String netns = first.netnsName();
        String hostLink = first.hostLinkName();
        Path socket = Slot.WIREGUARD_SOCKET_DIR.resolve(first.wireguardInterfaceName() + ".sock");
        Process orphan = null;
        try {
            // What a SIGKILLed test JVM leaves behind: namespace, a process inside, root veth, UAPI socket.
            Exec.run(5_000, "ip", "netns", "add", netns).orThrow();
            Exec.run(5_000, "ip", "link", "add", hostLink, "type", "veth", "peer", "name", "stale0", "netns", netns)
                    .orThrow();
            orphan = new ProcessBuilder("ip", "netns", "exec", netns, "sleep", "30").start();
            Files.createDirectories(socket.getParent());
            Files.createFile(socket);
            waitUntilInside(netns);
            first.close();

            Slot second = Slot.tryClaim(k);
            assertNotNull(second, "slot " + k + " should be free again");
            try {
                assertTrue(second.isClean());
                assertFalse(NetnsTest.listedNamespaces().contains(netns));
                assertFalse(Files.exists(socket));
                assertFalse(orphan.isAlive());
            } finally {
                second.close();
            }
        } finally {
            first.close();
            if (orphan != null) {
                orphan.destroyForcibly();
            }
            Exec.run(5_000, "ip", "netns", "del", netns);
            Exec.run(5_000, "ip", "link", "del", hostLink);
            Files.deleteIfExists(socket);
        }
    }

    /** Bounded wait until the orphan runs inside the namespace, so cleanup has a process to kill. */
    private static void waitUntilInside(String netns) {
        long deadlineNs = System.nanoTime() + 5_000_000_000L;
        while (Exec.run(5_000, "ip", "netns", "pids", netns).out().isBlank()) {
            assertTrue(System.nanoTime() - deadlineNs < 0, "process did not enter " + netns);
            Thread.onSpinWait();
        }
    }
}
