package io.ringguard.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A network namespace created by the test, joined to the root namespace by one veth pair.
 *
 * <pre>
 *   root namespace                         netns rgns&lt;k&gt;
 *   rgh&lt;k&gt;  198.18.k.1/30  fd00:18:k:0::1/126 ==== rgn&lt;k&gt;  198.18.k.2/30  fd00:18:k:0::2/126
 *                                                   lo up
 * </pre>
 *
 * <p>Nothing in the root namespace changes except the root-side veth and its connected routes; no
 * sysctl is touched. Two namespaces can also be joined directly with {@link #connect(Netns)}, which
 * keeps traffic between them out of the root namespace entirely.
 *
 * <p>{@link #close()} stops the processes started with {@link #spawn}, kills anything else still
 * running inside, deletes the namespace (which deletes its veth ends) and releases the {@link Slot}.
 * Names and addresses come from the slot; see {@link Slot} for the address plan.
 *
 * <p>Thread safety: methods may be called from any thread; {@link #close()} is idempotent and also
 * runs from a shutdown hook when a test leaves a namespace open.
 */
public final class Netns implements AutoCloseable {
    /** Deadline for each {@code ip} command the fixture runs. */
    public static final long IP_TIMEOUT_MS = 5_000;

    private static final int MAX_PEER_LINKS = 63;

    private final Slot slot;
    private final List<Process> processes = new ArrayList<>();
    private int peerLinks;
    private boolean closed;

    /** One end-to-end view of a veth pair between two namespaces, seen from the namespace that made it. */
    public record Link(
            String localInterface,
            String remoteInterface,
            String localAddress,
            String remoteAddress,
            String localAddress6,
            String remoteAddress6) {}

    private Netns(Slot slot) {
        this.slot = slot;
    }

    /** Claims a slot, removes leftovers with its names, and creates the namespace and its root veth. */
    public static Netns create() {
        Netns netns = new Netns(Slot.claim());
        Cleanup.register(netns);
        try {
            netns.setUp();
        } catch (RuntimeException e) {
            try {
                netns.close();
            } catch (RuntimeException closeFailure) {
                e.addSuppressed(closeFailure);
            }
            throw e;
        }
        return netns;
    }

    private void setUp() {
        String host = slot.hostLinkName();
        String inside = slot.nsLinkName();
        Exec.run(IP_TIMEOUT_MS, "ip", "netns", "add", name()).orThrow();
        // Creating the peer directly inside the namespace avoids a moment where both ends sit in root.
        Exec.run(IP_TIMEOUT_MS, "ip", "link", "add", host, "type", "veth", "peer", "name", inside, "netns", name())
                .orThrow();
        Exec.run(IP_TIMEOUT_MS, "ip", "addr", "add", hostAddress() + "/30", "dev", host)
                .orThrow();
        // nodad: the address is usable at once instead of after duplicate address detection (~1 s).
        Exec.run(IP_TIMEOUT_MS, "ip", "-6", "addr", "add", hostAddress6() + "/126", "dev", host, "nodad")
                .orThrow();
        Exec.run(IP_TIMEOUT_MS, "ip", "link", "set", host, "up").orThrow();
        ip("link", "set", "lo", "up");
        ip("addr", "add", nsAddress() + "/30", "dev", inside);
        ip("-6", "addr", "add", nsAddress6() + "/126", "dev", inside, "nodad");
        ip("link", "set", inside, "up");
    }

    /** The slot this namespace was made from; its index is {@code k} in the address plan. */
    public Slot slot() {
        return slot;
    }

    /** The namespace name, {@code rgns<k>}. */
    public String name() {
        return slot.netnsName();
    }

    /** Root-side veth name. */
    public String hostInterface() {
        return slot.hostLinkName();
    }

    /** Namespace-side veth name. */
    public String nsInterface() {
        return slot.nsLinkName();
    }

    /** Root-side veth address {@code 198.18.k.1}: where a test in the root namespace binds. */
    public String hostAddress() {
        return slot.underlayAddress(0, 1);
    }

    /** Namespace-side veth address {@code 198.18.k.2}. */
    public String nsAddress() {
        return slot.underlayAddress(0, 2);
    }

    /** Root-side veth IPv6 address {@code fd00:18:k:0::1}. */
    public String hostAddress6() {
        return slot.underlayAddress6(0, 1);
    }

    /** Namespace-side veth IPv6 address {@code fd00:18:k:0::2}. */
    public String nsAddress6() {
        return slot.underlayAddress6(0, 2);
    }

    /** Runs {@code command} inside the namespace ({@code ip netns exec}); killed after {@code timeoutMs}. */
    public ExecResult exec(long timeoutMs, String... command) {
        return Exec.run(timeoutMs, null, inside(command));
    }

    /** Like {@link #exec(long, String...)}, feeding {@code stdin} to the command. */
    public ExecResult exec(long timeoutMs, byte[] stdin, String... command) {
        return Exec.run(timeoutMs, stdin, inside(command));
    }

    /** Runs {@code ip -n <name> args...} and throws with its stderr when it fails. */
    public ExecResult ip(String... args) {
        String[] command = new String[args.length + 3];
        command[0] = "ip";
        command[1] = "-n";
        command[2] = name();
        System.arraycopy(args, 0, command, 3, args.length);
        return Exec.run(IP_TIMEOUT_MS, command).orThrow();
    }

    /**
     * Starts a long-running {@code command} inside the namespace with stdout and stderr appended to
     * {@code logFile} and {@code environment} added. The namespace stops it on {@link #close()}; the
     * caller may stop it earlier with {@link Exec#stop(Process)}.
     */
    public synchronized Process spawn(Path logFile, Map<String, String> environment, String... command) {
        checkOpen();
        ProcessBuilder builder = new ProcessBuilder(inside(command))
                .redirectErrorStream(true)
                .redirectOutput(Redirect.appendTo(logFile.toFile()))
                .redirectInput(Redirect.from(Path.of("/dev/null").toFile()));
        builder.environment().putAll(environment);
        try {
            Process process = builder.start();
            processes.add(process);
            return process;
        } catch (IOException e) {
            throw new UncheckedIOException("could not start " + String.join(" ", command) + " in " + name(), e);
        }
    }

    /**
     * Joins this namespace directly to {@code other} with a new veth pair, addressed from this
     * namespace's slot: link {@code j} (1..63) gets {@code 198.18.k.(4j+1)/30} here and {@code
     * .(4j+2)/30} there, and {@code fd00:18:k:j::1/126} / {@code ::2}. Traffic between the two never
     * passes the root namespace. The pair disappears when either namespace closes.
     */
    public synchronized Link connect(Netns other) {
        checkOpen();
        if (peerLinks == MAX_PEER_LINKS) {
            throw new IllegalStateException(name() + " already has " + MAX_PEER_LINKS + " links");
        }
        int j = ++peerLinks;
        Link link = new Link(
                slot.peerLinkName(j, true),
                slot.peerLinkName(j, false),
                slot.underlayAddress(j, 1),
                slot.underlayAddress(j, 2),
                slot.underlayAddress6(j, 1),
                slot.underlayAddress6(j, 2));
        ip(
                "link",
                "add",
                link.localInterface(),
                "type",
                "veth",
                "peer",
                "name",
                link.remoteInterface(),
                "netns",
                other.name());
        ip("addr", "add", link.localAddress() + "/30", "dev", link.localInterface());
        ip("-6", "addr", "add", link.localAddress6() + "/126", "dev", link.localInterface(), "nodad");
        ip("link", "set", link.localInterface(), "up");
        other.ip("addr", "add", link.remoteAddress() + "/30", "dev", link.remoteInterface());
        other.ip("-6", "addr", "add", link.remoteAddress6() + "/126", "dev", link.remoteInterface(), "nodad");
        other.ip("link", "set", link.remoteInterface(), "up");
        return link;
    }

    /** True while the namespace exists (it is listed by {@code ip netns list}). */
    public boolean exists() {
        return Files.exists(Slot.NETNS_DIR.resolve(name()));
    }

    /**
     * Stops spawned processes (SIGTERM, then SIGKILL after {@link Exec#STOP_GRACE_MS}), kills anything
     * else inside, deletes the namespace and the root-side veth, and releases the slot. Idempotent;
     * throws after releasing the slot when something could not be removed.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            for (Process process : processes.reversed()) {
                if (!Exec.stop(process)) {
                    System.err.println("testkit: pid " + process.pid() + " in " + name() + " survived SIGKILL");
                }
            }
            slot.removeLeftovers();
            if (!slot.isClean()) {
                throw new IllegalStateException("could not remove netns " + name() + " or veth " + hostInterface());
            }
        } finally {
            slot.close();
            Cleanup.unregister(this);
        }
    }

    @Override
    public String toString() {
        return "Netns[" + name() + "]";
    }

    private String[] inside(String... command) {
        String[] full = new String[command.length + 4];
        full[0] = "ip";
        full[1] = "netns";
        full[2] = "exec";
        full[3] = name();
        System.arraycopy(command, 0, full, 4, command.length);
        return full;
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException(this + " is closed");
        }
    }
}
