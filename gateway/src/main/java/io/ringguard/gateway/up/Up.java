package io.ringguard.gateway.up;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code ringguard up CONFIG}. */
@Command(
        name = "up",
        mixinStandardHelpOptions = true,
        description = {
            "Run a gateway from a wg-quick style config with a [Gateway] section, in the foreground.",
            "SIGTERM/SIGINT shut down cleanly; SIGHUP reloads the file without dropping sessions.",
            "Exit codes: 0 clean shutdown, 1 runtime failure, 2 bad config, 3 missing privilege or TUN."
        })
public final class Up implements Callable<Integer> {
    @Parameters(paramLabel = "CONFIG", description = "The config file; the interface is named after it.")
    Path config;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        return new UpCommand(config, spec.commandLine().getErr()).run();
    }
}
