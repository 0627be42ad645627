package io.ringguard.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Tag("integration")
@Timeout(60)
class NetnsTest {
    @BeforeEach
    void requirePrerequisites() {
        Prerequisites.requireRoot();
        Prerequisites.requireProgram("ip");
        Prerequisites.requireProgram("ping");
    }

    @Test
    void shouldReachNamespaceFromRootOverVethOnBothFamilies() {
        try (Netns ns = Netns.create()) {
            int k = ns.slot().index();
            assertEquals("198.18." + k + ".1", ns.hostAddress());
            assertEquals("198.18." + k + ".2", ns.nsAddress());
            ExecResult addresses = ns.exec(5_000, "ip", "-o", "addr", "show", "dev", ns.nsInterface());
            assertTrue(addresses.ok(), addresses::describe);
            assertTrue(addresses.out().contains(ns.nsAddress() + "/30"), addresses.out());
            assertTrue(Exec.run(10_000, "ping", "-4", "-n", "-q", "-c", "1", "-w", "5", ns.nsAddress())
                    .ok());
            assertTrue(Exec.run(10_000, "ping", "-6", "-n", "-q", "-c", "1", "-w", "5", ns.nsAddress6())
                    .ok());
            // And from inside out to the root side.
            assertTrue(ns.exec(10_000, "ping", "-4", "-n", "-q", "-c", "1", "-w", "5", ns.hostAddress())
                    .ok());
        }
    }

    @Test
    void shouldReportExitCodeAndOutputOfCommandsInside() {
        try (Netns ns = Netns.create()) {
            ExecResult result = ns.exec(5_000, "sh", "-c", "echo out; echo err >&2; exit 3");
            assertEquals(3, result.exitCode());
            assertEquals("out\n", result.out());
            assertEquals("err\n", result.err());
            assertFalse(result.ok());
            assertFalse(result.timedOut());
        }
    }

    @Test
    void shouldKillCommandThatOutlivesItsTimeout() {
        try (Netns ns = Netns.create()) {
            long startNs = System.nanoTime();
            ExecResult result = ns.exec(300, "sleep", "30");
            long elapsedMs = (System.nanoTime() - startNs) / 1_000_000;
            assertTrue(result.timedOut());
            assertFalse(result.ok());
            assertTrue(elapsedMs < 5_000, "took " + elapsedMs + " ms");
            assertEquals(
                    "", Exec.run(5_000, "ip", "netns", "pids", ns.name()).out().strip());
        }
    }

    @Test
    void shouldGiveConcurrentNamespacesDistinctNamesAndAddresses() {
        try (Netns a = Netns.create();
                Netns b = Netns.create()) {
            assertNotEquals(a.name(), b.name());
            assertNotEquals(a.hostInterface(), b.hostInterface());
            assertNotEquals(a.hostAddress(), b.hostAddress());
            assertNotEquals(a.slot().wireguardInterfaceName(), b.slot().wireguardInterfaceName());
            assertTrue(a.slot().wireguardInterfaceName().length() <= Slot.MAX_INTERFACE_NAME_LENGTH);
        }
    }

    @Test
    void shouldConnectTwoNamespacesDirectly() {
        try (Netns a = Netns.create();
                Netns b = Netns.create()) {
            Netns.Link link = a.connect(b);
            assertTrue(a.exec(10_000, "ping", "-4", "-n", "-q", "-c", "1", "-w", "5", link.remoteAddress())
                    .ok());
            assertTrue(b.exec(10_000, "ping", "-6", "-n", "-q", "-c", "1", "-w", "5", link.localAddress6())
                    .ok());
        }
    }

    @Test
    void shouldRemoveNamespaceVethAndProcessesOnClose() throws IOException {
        Path log = Files.createTempFile("rg-netns-test-", ".log");
        try {
            Netns ns = Netns.create();
            Process sleeper = ns.spawn(log, Map.of(), "sleep", "30");
            assertTrue(listedNamespaces().contains(ns.name()));
            ns.close();
            ns.close();
            assertFalse(ns.exists());
            assertFalse(listedNamespaces().contains(ns.name()));
            assertFalse(
                    Exec.run(5_000, "ip", "link", "show", ns.hostInterface()).ok());
            assertFalse(sleeper.isAlive());
        } finally {
            Files.deleteIfExists(log);
        }
    }

    /** Names printed by {@code ip netns list} (each line is a name, maybe followed by an id). */
    static List<String> listedNamespaces() {
        return Exec.run(5_000, "ip", "netns", "list")
                .orThrow()
                .out()
                .lines()
                .map(line -> line.split(" ")[0])
                .toList();
    }
}
