package io.ringguard.gateway;

import io.ringguard.gateway.daemon.Daemonizer;
import io.ringguard.gateway.iface.InterfaceDaemon;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The {@code ringguard} command line (CONTRACTS.md section 1).
 *
 * <p>Exit codes: 0 clean shutdown, 1 runtime failure, 2 bad usage or bad config, 3 missing privilege
 * or kernel feature.
 */
@Command(
        name = "ringguard",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        sortOptions = false,
        usageHelpWidth = 100,
        exitCodeOnInvalidInput = Main.EXIT_USAGE,
        exitCodeOnExecutionException = Main.EXIT_FAILURE,
        subcommands = {
            io.ringguard.gateway.up.Up.class,
            io.ringguard.gateway.demo.Demo.class,
            io.ringguard.gateway.mesh.Org.class,
            io.ringguard.gateway.mesh.Members.class
        },
        description = {
            "RingGuard: a WireGuard-compatible userspace gateway.",
            "",
            "  ringguard [-f|--foreground] IFACE   wireguard-go compatible interface, configured by wg(8)",
            "  ringguard up CONFIG                 gateway appliance mode from a wg-quick style config",
            "  ringguard demo                      two gateways in network namespaces, end to end",
            "  ringguard org keygen|vouch|revoke   the mesh's org key and signed org messages",
            "  ringguard members                   the mesh members of a running gateway",
            ""
        })
public final class Main implements java.util.concurrent.Callable<Integer> {
    public static final int EXIT_OK = 0;
    public static final int EXIT_FAILURE = 1;
    public static final int EXIT_USAGE = 2;
    public static final int EXIT_PRIVILEGE = 3;

    @Option(
            names = {"-f", "--foreground"},
            description = "Stay in the foreground (also WG_PROCESS_FOREGROUND=1).")
    boolean foreground;

    @Parameters(arity = "0..1", paramLabel = "IFACE", description = "Interface to create.")
    String iface;

    @Override
    public Integer call() {
        CommandLine cmd = new CommandLine(this);
        if (iface == null) {
            cmd.usage(cmd.getErr());
            return EXIT_USAGE;
        }
        if (Daemonizer.shouldDaemonize(foreground, System.getenv())) {
            String name = iface;
            Daemonizer.Result result = Daemonizer.daemonizeSelf(() -> InterfaceDaemon.ready(name));
            if (!result.ready()) {
                cmd.getErr().println("ringguard: " + result.message());
            }
            return result.exitCode();
        }
        return InterfaceDaemon.run(iface, cmd.getErr());
    }

    /** Builds the command line with the contract's exit codes; tests call this instead of main. */
    public static CommandLine commandLine(PrintWriter out, PrintWriter err) {
        CommandLine cmd = new CommandLine(new Main());
        cmd.setOut(out);
        cmd.setErr(err);
        return cmd;
    }

    public static void main(String[] args) {
        LogLevel.configure();
        int code = commandLine(new PrintWriter(System.out, true), new PrintWriter(System.err, true))
                .execute(args);
        System.exit(code);
    }

    /** Reads the version Maven stamped into the jar. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() throws IOException {
            Properties props = new Properties();
            try (InputStream in = Main.class.getResourceAsStream("version.properties")) {
                if (in != null) {
                    props.load(in);
                }
            }
            return new String[] {"ringguard " + props.getProperty("version", "unknown")};
        }
    }
}
