package io.ringguard.gateway.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringguard.testkit.Prerequisites;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Daemonizing with small shell scripts standing in for the daemon. */
@Timeout(30)
class DaemonizerTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    private long daemonPid = -1;

    @BeforeEach
    void requireSetsid() {
        Prerequisites.requireProgram("setsid");
    }

    @AfterEach
    void killDaemon() {
        if (daemonPid > 0) {
            ProcessHandle.of(daemonPid).ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    private static List<String> sh(String script, String... args) {
        List<String> command = new java.util.ArrayList<>(List.of("sh", "-c", script, "sh"));
        command.addAll(List.of(args));
        return command;
    }

    @Test
    void shouldDaemonizeOnlyWithoutForegroundFlagOrEnvironment() {
        assertTrue(Daemonizer.shouldDaemonize(false, Map.of()));
        assertTrue(Daemonizer.shouldDaemonize(false, Map.of("WG_PROCESS_FOREGROUND", "0")));
        assertFalse(Daemonizer.shouldDaemonize(true, Map.of()));
        assertFalse(Daemonizer.shouldDaemonize(false, Map.of("WG_PROCESS_FOREGROUND", "1")));
    }

    @Test
    void shouldFindThisJvmsOwnCommandLine() throws IOException {
        Optional<List<String>> command = Daemonizer.currentJvmCommand();
        assertTrue(command.isPresent(), "ProcessHandle.Info has the command line on Linux");
        Path java = Path.of(System.getProperty("java.home"), "bin", "java").toRealPath();
        assertEquals(java, Path.of(command.get().getFirst()).toRealPath());
        assertTrue(command.get().size() > 1, command.get().toString());
    }

    @Test
    void shouldReturnOnceTheChildIsReadyAndLeaveItRunningInItsOwnSession() throws IOException {
        Path ready = dir.resolve("ready");
        // Ready after a second, like a daemon that first opens its TUN and socket; then it stays.
        List<String> child = sh(
                "sleep 1; echo \"$WG_PROCESS_FOREGROUND\" > \"$1.tmp\"; mv \"$1.tmp\" \"$1\";" + " exec sleep 60",
                ready.toString());

        Daemonizer.Result result = Daemonizer.daemonize(child, null, () -> Files.exists(ready), TIMEOUT);
        daemonPid = result.pid();

        assertTrue(result.ready(), result.message());
        assertEquals(0, result.exitCode());
        assertEquals("1", Files.readString(ready).strip(), "the child runs with WG_PROCESS_FOREGROUND=1");
        assertTrue(ProcessHandle.of(daemonPid).map(ProcessHandle::isAlive).orElse(false));
        String stat = Files.readString(Path.of("/proc", Long.toString(daemonPid), "stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        assertEquals(Long.toString(daemonPid), fields[3], "session id: setsid made it a session leader");
        assertEquals(
                Path.of("/dev/null"),
                Files.readSymbolicLink(Path.of("/proc", Long.toString(daemonPid), "fd", "0")),
                "stdin");
    }

    @Test
    void shouldReportTheChildsReasonWhenItDiesBeforeReady() {
        List<String> child = sh("echo 'ringguard: cannot open /dev/net/tun: No such device' >&2; exit 3");

        Daemonizer.Result result = Daemonizer.daemonize(child, null, () -> false, TIMEOUT);

        assertEquals(1, result.exitCode());
        assertEquals(-1, result.pid());
        assertEquals(
                "daemon exited with code 3 before it was ready: ringguard: cannot open /dev/net/tun: No such device",
                result.message());
    }

    @Test
    void shouldStopAChildThatIsNotReadyInTime() throws IOException {
        Path pidFile = dir.resolve("pid");
        List<String> child = sh("echo $$ > \"$1\"; exec sleep 60", pidFile.toString());

        Daemonizer.Result result = Daemonizer.daemonize(child, null, () -> false, Duration.ofMillis(500));

        assertEquals(1, result.exitCode());
        assertTrue(result.message().startsWith("daemon not ready within 500 ms; stopped it"), result.message());
        long pid = Long.parseLong(Files.readString(pidFile).strip());
        assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "no half-started daemon left");
    }

    @Test
    void shouldSendTheChildsOutputToTheLogFile() throws IOException {
        Path log = dir.resolve("ringguard.log");
        Files.writeString(log, "earlier run\n");
        List<String> child = sh("echo out; echo err >&2; exit 4");

        Daemonizer.Result result = Daemonizer.daemonize(child, log, () -> false, TIMEOUT);

        assertEquals("daemon exited with code 4 before it was ready: see " + log, result.message());
        assertEquals(List.of("earlier run", "out", "err"), Files.readAllLines(log), "appended, both streams");
    }

    @Test
    void shouldFailCleanlyWhenTheProgramDoesNotExist() {
        Daemonizer.Result result =
                Daemonizer.daemonize(List.of(dir.resolve("missing").toString()), null, () -> false, TIMEOUT);
        assertEquals(1, result.exitCode());
        assertTrue(result.message().startsWith("daemon exited with code 127"), result.message());
    }
}
