package io.ringguard.gateway.demo;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What the demo needs before it touches anything: root, a TUN device, and its programs (exit 3 otherwise). */
final class Preflight {
    /** Program, and the Debian package that has it. */
    static final Map<String, String> PROGRAMS = programs();

    /** Where sudo's and root's PATH usually look, for a PATH that lacks the sbin directories. */
    private static final List<String> EXTRA_DIRECTORIES =
            List.of("/usr/local/sbin", "/usr/sbin", "/sbin", "/usr/bin", "/bin");

    private Preflight() {}

    static void check() throws DemoFailure {
        if (effectiveUid() != 0) {
            throw new DemoFailure(
                    3, "needs root to create network namespaces and TUN interfaces: run sudo bin/ringguard demo");
        }
        if (!Files.exists(Path.of("/dev/net/tun"))) {
            throw new DemoFailure(3, "/dev/net/tun is missing: this kernel or container has no TUN support");
        }
        String path = System.getenv().getOrDefault("PATH", "");
        for (Map.Entry<String, String> program : PROGRAMS.entrySet()) {
            if (find(program.getKey(), path) == null) {
                throw new DemoFailure(
                        3, program.getKey() + " not found: install it with apt-get install " + program.getValue());
            }
        }
    }

    /** The executable {@code name} on {@code path} or in the sbin/bin directories, or null. */
    static Path find(String name, String path) {
        List<String> directories = new ArrayList<>(List.of(path.split(File.pathSeparator)));
        directories.addAll(EXTRA_DIRECTORIES);
        for (String directory : directories) {
            if (directory.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(directory, name);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        return null;
    }

    /** The effective uid, from the second field of {@code Uid:} in {@code /proc/self/status}; -1 if unknown. */
    static int effectiveUid() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    return Integer.parseInt(line.substring(4).strip().split("\\s+")[1]);
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    private static Map<String, String> programs() {
        Map<String, String> programs = new LinkedHashMap<>();
        programs.put("ip", "iproute2");
        programs.put("ping", "iputils-ping");
        programs.put("iperf3", "iperf3");
        programs.put("bash", "bash");
        programs.put("kill", "procps");
        return programs;
    }
}
