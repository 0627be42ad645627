package io.ringguard.gateway.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringguard.testkit.Exec;
import io.ringguard.testkit.Prerequisites;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class SignalHandlingTest {
    @Test
    void shouldShutDownOnceAndReloadOnEveryHangup() {
        AtomicInteger shutdowns = new AtomicInteger();
        AtomicInteger reloads = new AtomicInteger();
        SignalHandling handling = new SignalHandling(shutdowns::incrementAndGet, reloads::incrementAndGet);

        handling.dispatch(SignalHandling.HUP);
        handling.dispatch(SignalHandling.HUP);
        assertEquals(2, reloads.get());
        assertFalse(handling.shutdownStarted());

        handling.dispatch(SignalHandling.TERM);
        handling.dispatch(SignalHandling.INT);
        handling.dispatch(SignalHandling.TERM);
        assertEquals(1, shutdowns.get(), "a second TERM or INT does not re-enter shutdown");
        assertTrue(handling.shutdownStarted());

        handling.dispatch(SignalHandling.HUP);
        assertEquals(2, reloads.get(), "no reload once shutting down");
        assertThrows(IllegalArgumentException.class, () -> handling.dispatch("USR1"));
    }

    @Test
    void shouldShutDownOnInterrupt() {
        AtomicInteger shutdowns = new AtomicInteger();
        SignalHandling handling = new SignalHandling(shutdowns::incrementAndGet, () -> {});
        handling.dispatch(SignalHandling.INT);
        assertEquals(1, shutdowns.get());
    }

    /** Real signals, sent with kill(1) to a child JVM that runs {@link SignalHandlingChild}. */
    @Test
    @Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void shouldReloadOnSighupAndShutDownOnSigtermInARealJvm() throws IOException, InterruptedException {
        Prerequisites.requireProgram("kill");
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process child = new ProcessBuilder(
                        java.toString(),
                        "-cp",
                        System.getProperty("java.class.path"),
                        SignalHandlingChild.class.getName())
                .redirectErrorStream(true)
                .start();
        try (BufferedReader out =
                new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            assertEquals("ready", out.readLine());
            String pid = Long.toString(child.pid());
            Exec.run(5_000, "kill", "-HUP", pid).orThrow();
            assertEquals("reload 1", out.readLine());
            Exec.run(5_000, "kill", "-HUP", pid).orThrow();
            assertEquals("reload 2", out.readLine());
            Exec.run(5_000, "kill", "-TERM", pid).orThrow();
            assertEquals("shutdown", out.readLine());
            assertTrue(child.waitFor(10, TimeUnit.SECONDS));
            assertEquals(0, child.exitValue(), "exited through main, not killed by the signal");
        } finally {
            child.destroyForcibly();
        }
    }
}
