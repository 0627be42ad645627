package io.ringguard.gateway.demo;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ringguard demo} (CONTRACTS.md section 1). */
@Command(
        name = "demo",
        mixinStandardHelpOptions = true,
        description = {
            "The zero-config showcase: two network namespaces (rgdemo-a, rgdemo-b) joined by a veth pair,",
            "a RingGuard gateway (ringguard up) in each, ping and an iperf3 TCP run through the tunnel,",
            "then a summary: throughput, RTT, handshakes, the bytes both sides accounted, the metrics URLs.",
            "Needs root, ip (iproute2), ping (iputils-ping) and iperf3. Cleans up on every exit, Ctrl-C too.",
            "Exit codes: 0 done, 1 the demo failed (the reason is printed), 2 bad usage,",
            "3 not root or a missing program or TUN, 130 interrupted."
        })
public final class Demo implements Callable<Integer> {
    private static final int MAX_SECONDS = 60;

    @Option(
            names = "--seconds",
            defaultValue = "5",
            paramLabel = "N",
            description = "iperf3 run length in each direction, 1..60 (default ${DEFAULT-VALUE}).")
    int seconds;

    @Option(
            names = "--keep",
            description = "After the summary keep both gateways running (metrics reachable) until Ctrl-C.")
    boolean keep;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        if (seconds < 1 || seconds > MAX_SECONDS) {
            spec.commandLine().getErr().println("ringguard demo: --seconds must be 1.." + MAX_SECONDS + " (exit 2)");
            return 2;
        }
        return new DemoRun(spec.commandLine().getOut(), spec.commandLine().getErr(), seconds, keep).run();
    }
}
