package io.ringguard.gateway.uapi;

import static io.ringguard.gateway.uapi.UapiSetTest.A;
import static io.ringguard.gateway.uapi.UapiSetTest.B;
import static io.ringguard.gateway.uapi.UapiSetTest.BASE;
import static io.ringguard.gateway.uapi.UapiSetTest.C;
import static io.ringguard.gateway.uapi.UapiSetTest.OWN_PUBLIC_KEY;
import static io.ringguard.gateway.uapi.UapiSetTest.PRIVATE_KEY;
import static io.ringguard.gateway.uapi.UapiSetTest.PSK;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringguard.dataplane.config.Cidr;
import io.ringguard.dataplane.config.PublicKey;
import io.ringguard.handshake.keys.Keys;
import io.ringguard.testkit.Exec;
import io.ringguard.testkit.ExecResult;
import io.ringguard.testkit.Prerequisites;
import io.ringguard.testkit.Slot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The real {@code wg} (wireguard-tools) against {@link UapiServer} at {@code
 * /var/run/wireguard/rgu<k>.sock}, with the in-memory service behind it: no TUN, no dataplane.
 */
@Tag("integration")
@Timeout(60)
class WgToolUapiServerIntegrationTest {
    private static final long WG_TIMEOUT_MS = 10_000;
    /** The port the fake dataplane cannot bind, to see a rejected set through wg. */
    private static final int TAKEN_PORT = 1235;

    private Slot slot;
    private String iface;
    private InMemoryUapiService service;
    private UapiServer server;

    @BeforeEach
    void startServer() throws IOException {
        Prerequisites.requireRoot();
        Prerequisites.requireProgram("wg");
        slot = Slot.claim();
        iface = slot.interfaceName("rgu");
        service = new InMemoryUapiService(BASE, port -> port == TAKEN_PORT ? UapiErrno.EADDRINUSE : UapiErrno.OK);
        service.stats(PublicKey.fromHex(A), new PeerStats(1_700_000_000L, 123_456_789, 1234, 5678));
        server = UapiServer.start(iface, service);
    }

    @AfterEach
    void stopServer() {
        if (server != null) {
            server.close();
        }
        if (slot != null) {
            slot.close();
        }
    }

    private static String b64(String hex) {
        return new String(Keys.toBase64(Keys.fromHex(hex)));
    }

    private ExecResult wg(String... args) {
        String[] command = new String[args.length + 1];
        command[0] = "wg";
        System.arraycopy(args, 0, command, 1, args.length);
        return Exec.run(WG_TIMEOUT_MS, command);
    }

    @Test
    void shouldServeTheSocketWhereWgLooksWithMode0600() throws IOException {
        assertEquals(UapiServer.SOCKET_DIR.resolve(iface + ".sock"), server.path());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(server.path())));
        ExecResult interfaces = wg("show", "interfaces").orThrow();
        assertTrue(List.of(interfaces.out().strip().split("\\s+")).contains(iface), interfaces.describe());
    }

    @Test
    void shouldLetWgShowDumpParseTheGetReply() {
        ExecResult dump = wg("show", iface, "dump").orThrow();
        List<String> expected = List.of(
                String.join("\t", b64(PRIVATE_KEY), b64(OWN_PUBLIC_KEY), "51820", "off"),
                String.join(
                        "\t",
                        b64(A),
                        b64(PSK),
                        "198.18.0.2:51820",
                        "198.18.1.0/24,fd00:1::/64",
                        "1700000000",
                        "1234",
                        "5678",
                        "25"),
                String.join("\t", b64(B), "(none)", "(none)", "198.18.2.0/24", "0", "0", "0", "off"));
        assertEquals(expected, dump.out().lines().toList(), dump.describe());
    }

    @Test
    void shouldReceiveWgSetAsTheExpectedSetRequest() {
        wg("set", iface, "listen-port", "1234", "peer", b64(C), "allowed-ips", slot.tunnelSubnet())
                .orThrow();
        List<UapiRequest.Set> requests = service.requests();
        assertEquals(1, requests.size());
        assertEquals(
                List.of(
                        new SetOp.ListenPort(1234),
                        new SetOp.Peer(PublicKey.fromHex(C)),
                        new SetOp.ReplaceAllowedIps(),
                        new SetOp.AddAllowedIp(Cidr.parse(slot.tunnelSubnet()))),
                requests.getFirst().ops());
        assertEquals(1234, service.config().listenPort());
        ExecResult port = wg("show", iface, "listen-port").orThrow();
        assertEquals("1234", port.out().strip());
    }

    @Test
    void shouldMakeWgFailWhenTheSetIsRejected() {
        ExecResult rejected = wg("set", iface, "listen-port", Integer.toString(TAKEN_PORT), "peer", b64(C));
        assertNotEquals(0, rejected.exitCode(), rejected.describe());
        // wg v1.0.20210914 negates the errno twice and prints "Unknown error -98", against wireguard-go too.
        assertTrue(rejected.err().contains("98"), rejected.describe());
        assertEquals(BASE, service.config(), "a rejected set changes nothing");
        assertFalse(service.config().peer(PublicKey.fromHex(C)).isPresent());
    }
}
