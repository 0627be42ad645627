package io.ringguard.gateway.mesh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.ringguard.gateway.Main;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@code ringguard members}: the table from a (stub) admin API, and the exit codes. */
class MembersTest {
    private static final String ROWS = "[{\"node_key\":\"NK1\",\"wg_public_key\":\"WG1\",\"mesh_addresses\":"
            + "[\"198.19.0.1/32\",\"fd00:19::1/128\"],\"gossip_endpoint\":\"198.18.0.1:51821\",\"observed_endpoint\":null,"
            + "\"path\":\"none\",\"state\":\"alive\",\"incarnation\":5},"
            + "{\"node_key\":\"NK2\",\"wg_public_key\":\"WG2\",\"mesh_addresses\":[],\"gossip_endpoint\":\"198.18.0.2:51821\","
            + "\"observed_endpoint\":\"198.18.9.9:40000\",\"path\":\"relay\",\"state\":\"suspect\",\"incarnation\":6}]";

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();
    private HttpServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    private int run(String... args) {
        return Main.commandLine(new PrintWriter(out, true), new PrintWriter(err, true))
                .execute(args);
    }

    private String serve(int status, String body) throws Exception {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 4);
        server.createContext("/v1/members", exchange -> {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status, bytes.length);
            try (OutputStream o = exchange.getResponseBody()) {
                o.write(bytes);
            }
        });
        server.start();
        return "127.0.0.1:" + server.getAddress().getPort();
    }

    @Test
    void shouldPrintOneAlignedRowPerMemberUnderTheContractColumns() throws Exception {
        String admin = serve(200, ROWS);

        assertEquals(Main.EXIT_OK, run("members", "--admin", admin));

        String[] lines = out.toString().split("\n");
        assertEquals(3, lines.length, out.toString());
        assertEquals(
                "NODE_KEY WG_PUBLIC_KEY MESH_ADDRESSES GOSSIP_ENDPOINT OBSERVED_ENDPOINT PATH STATE INCARNATION",
                lines[0].replaceAll(" +", " "));
        assertEquals(
                "NK1 WG1 198.19.0.1/32,fd00:19::1/128 198.18.0.1:51821 - none alive 5", lines[1].replaceAll(" +", " "));
        assertEquals("NK2 WG2 - 198.18.0.2:51821 198.18.9.9:40000 relay suspect 6", lines[2].replaceAll(" +", " "));
        assertEquals(lines[0].indexOf("PATH"), lines[1].indexOf("none"), "columns are aligned");
    }

    @Test
    void shouldExitOneWhenTheGatewayRefusesOrIsNotThere() throws Exception {
        String admin = serve(404, "{\"error\":\"not_found\",\"detail\":\"this gateway is not in a mesh (no Gossip)\"}");
        assertEquals(Main.EXIT_FAILURE, run("members", "--admin", admin));
        assertTrue(err.toString().contains("not in a mesh"), err.toString());
        server.stop(0);
        server = null;

        assertEquals(Main.EXIT_FAILURE, run("members", "--admin", admin));
        assertTrue(err.toString().contains("cannot reach the admin API at " + admin), err.toString());
    }

    @Test
    void shouldExitTwoForABadAdminAddress() {
        assertEquals(Main.EXIT_USAGE, run("members", "--admin", "no-port"));
        assertTrue(err.toString().contains("--admin"), err.toString());
    }
}
