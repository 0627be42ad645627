package io.ringguard.testkit;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Last-resort cleanup: fixtures still open when the JVM exits (a test forgot try-with-resources, or
 * surefire stopped the fork with SIGTERM) are closed by a shutdown hook, newest first. SIGKILL skips
 * the hook; then the next claim of the slot removes the leftovers (see {@link Slot}).
 */
final class Cleanup {
    private static final Set<AutoCloseable> LIVE = new LinkedHashSet<>();
    private static boolean hookInstalled;

    private Cleanup() {}

    static synchronized void register(AutoCloseable resource) {
        if (!hookInstalled) {
            Runtime.getRuntime().addShutdownHook(new Thread(Cleanup::closeAll, "testkit-cleanup"));
            hookInstalled = true;
        }
        LIVE.add(resource);
    }

    static synchronized void unregister(AutoCloseable resource) {
        LIVE.remove(resource);
    }

    private static void closeAll() {
        List<AutoCloseable> open;
        synchronized (Cleanup.class) {
            open = new ArrayList<>(LIVE);
        }
        for (AutoCloseable resource : open.reversed()) {
            try {
                System.err.println("testkit: closing " + resource + " left open at JVM exit");
                resource.close();
            } catch (Exception e) {
                System.err.println("testkit: could not close " + resource + ": " + e);
            }
        }
    }
}
