package io.ringguard.gateway.mesh;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.ringguard.gateway.Main;
import io.ringguard.gateway.config.HostPort;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ringguard members [--admin HOST:PORT]}: the {@code GET /v1/members} table of a running gateway. */
@Command(
        name = "members",
        mixinStandardHelpOptions = true,
        description = {
            "Print the mesh members of a running gateway (its admin API's GET /v1/members).",
            "Exit codes: 0 printed, 1 the gateway did not answer or refused, 2 bad usage."
        })
public final class Members implements Callable<Integer> {
    static final String[] COLUMNS = {
        "NODE_KEY",
        "WG_PUBLIC_KEY",
        "MESH_ADDRESSES",
        "GOSSIP_ENDPOINT",
        "OBSERVED_ENDPOINT",
        "PATH",
        "STATE",
        "INCARNATION"
    };
    private static final String[] FIELDS = {
        "node_key",
        "wg_public_key",
        "mesh_addresses",
        "gossip_endpoint",
        "observed_endpoint",
        "path",
        "state",
        "incarnation"
    };
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    @Option(
            names = "--admin",
            paramLabel = "HOST:PORT",
            description = "The gateway's AdminListen (default ${DEFAULT-VALUE}).",
            defaultValue = "127.0.0.1:9587")
    String admin;

    @Option(
            names = "--token-file",
            paramLabel = "FILE",
            description = "The bearer token file, when the admin API needs one.")
    Path tokenFile;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        HostPort target;
        try {
            target = HostPort.parse(admin, 1);
        } catch (IllegalArgumentException e) {
            err.println("ringguard: --admin: " + e.getMessage());
            return Main.EXIT_USAGE;
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://" + target + "/v1/members"))
                .timeout(TIMEOUT)
                .GET();
        if (tokenFile != null) {
            try {
                request.header(
                        "Authorization",
                        "Bearer "
                                + Files.readString(tokenFile, StandardCharsets.UTF_8)
                                        .strip());
            } catch (IOException e) {
                err.println("ringguard: --token-file: " + e.getMessage());
                return Main.EXIT_USAGE;
            }
        }
        try (HttpClient client = HttpClient.newBuilder().connectTimeout(TIMEOUT).build()) {
            HttpResponse<String> response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
            JsonNode body = JsonMapper.builder().build().readTree(response.body());
            if (response.statusCode() != 200 || !body.isArray()) {
                err.println("ringguard: " + admin + " answered " + response.statusCode() + ": "
                        + (body.has("detail") ? body.get("detail").asText() : response.body()));
                return Main.EXIT_FAILURE;
            }
            spec.commandLine().getOut().print(table(body));
            spec.commandLine().getOut().flush();
            return Main.EXIT_OK;
        } catch (IOException e) {
            err.println("ringguard: cannot reach the admin API at " + admin + ": " + e);
            return Main.EXIT_FAILURE;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Main.EXIT_FAILURE;
        }
    }

    /** The rows as aligned columns, a header first; a missing or null field prints as "-". */
    static String table(JsonNode members) {
        List<String[]> rows = new ArrayList<>();
        rows.add(COLUMNS);
        for (JsonNode m : members) {
            String[] row = new String[FIELDS.length];
            for (int i = 0; i < FIELDS.length; i++) {
                JsonNode v = m.get(FIELDS[i]);
                if (v == null || v.isNull()) {
                    row[i] = "-";
                } else if (v.isArray()) {
                    List<String> parts = new ArrayList<>();
                    v.forEach(p -> parts.add(p.asText()));
                    row[i] = parts.isEmpty() ? "-" : String.join(",", parts);
                } else {
                    row[i] = v.asText();
                }
            }
            rows.add(row);
        }
        int[] width = new int[FIELDS.length];
        for (String[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                width[i] = Math.max(width[i], row[i].length());
            }
        }
        StringBuilder out = new StringBuilder();
        for (String[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                out.append(row[i]);
                if (i < row.length - 1) {
                    out.append(" ".repeat(width[i] - row[i].length() + 2));
                }
            }
            out.append('\n');
        }
        return out.toString();
    }
}
