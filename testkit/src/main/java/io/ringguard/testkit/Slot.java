package io.ringguard.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A claim on one index {@code k} of the test address plan, and with it on every name and address the
 * plan derives from {@code k}, held across all processes on the host.
 *
 * <p>Address plan (all inside 198.18.0.0/15 and fd00::/8):
 *
 * <pre>
 *   what                          IPv4                     IPv6
 *   underlay link j (j = 0..63)   198.18.k.(4j)/30         fd00:18:k:j::/126
 *     j = 0: root ns <-> netns    .1 root side, .2 netns   ::1 root side, ::2 netns
 *     j > 0: netns k <-> other    .(4j+1) k, .(4j+2) other ::1 k, ::2 other
 *   tunnel (inside the netns)     198.19.k.0/24            fd00:19:k::/64
 * </pre>
 *
 * <p>{@code k} runs from {@link #FIRST} to {@link #LAST} and is written in decimal everywhere, also in
 * the IPv6 addresses (so {@code k = 12} gives {@code fd00:18:12::1}). Names: network namespace {@code
 * rgns<k>}, veth {@code rgh<k>} (root side) and {@code rgn<k>} (netns side), wireguard-go interface
 * {@code rgwg<k>} whose UAPI socket is {@code /var/run/wireguard/rgwg<k>.sock}, RingGuard interface
 * {@code rgrg<k>} (socket {@code rgrg<k>.sock}); other fixtures take
 * {@link #interfaceName(String)} with their own prefix.
 *
 * <p>Why a cross-process claim rather than a pid-derived suffix: the root-side veth addresses share one
 * routing table, and the UAPI socket directory is shared by all namespaces, so two test JVMs (two
 * modules, two engineers) must never pick the same {@code k}. A claim is an exclusive {@code fcntl}
 * lock on {@code /run/ringguard-testkit/slot-<k>.lock}; the kernel drops it when the JVM dies, however
 * it dies. Whoever claims a slot next therefore owns any leftovers with its names and removes them
 * first (see {@link #removeLeftovers()}).
 *
 * <p>Thread safety: {@link #claim()} may be called from any thread; a claimed slot belongs to the
 * fixture that claimed it.
 */
public final class Slot implements AutoCloseable {
    public static final int FIRST = 1;
    public static final int LAST = 250;
    /** Longest Linux interface name ({@code IFNAMSIZ - 1}). */
    public static final int MAX_INTERFACE_NAME_LENGTH = 15;

    static final Path LOCK_DIR = Path.of("/run/ringguard-testkit");
    static final Path NETNS_DIR = Path.of("/var/run/netns");
    static final Path WIREGUARD_SOCKET_DIR = Path.of("/var/run/wireguard");
    private static final long IP_TIMEOUT_MS = 5_000;
    private static final Set<Integer> HELD_IN_THIS_JVM = new HashSet<>();

    private final int index;
    private final FileChannel channel;
    private final FileLock lock;
    private boolean released;

    private Slot(int index, FileChannel channel, FileLock lock) {
        this.index = index;
        this.channel = channel;
        this.lock = lock;
    }

    /** A slot that holds no claim, for address-plan arithmetic in unit tests. */
    static Slot unclaimed(int index) {
        return new Slot(index, null, null);
    }

    /**
     * Claims a free slot, removing leftovers of earlier runs with its names, and skipping slots whose
     * addresses something else in the root namespace already uses. Tries each slot at most once.
     */
    public static Slot claim() {
        int count = LAST - FIRST + 1;
        // Start at a pid-derived slot so concurrent JVMs rarely contend for the same lock.
        int start = (int) (ProcessHandle.current().pid() % count);
        for (int i = 0; i < count; i++) {
            Slot slot = tryClaim(FIRST + (start + i) % count);
            if (slot != null) {
                return slot;
            }
        }
        throw new IllegalStateException("no free testkit slot in " + FIRST + ".." + LAST + " (all locked under "
                + LOCK_DIR + " or their addresses are in use in the root namespace)");
    }

    /** Claims slot {@code index} if nobody holds it; null otherwise. */
    static Slot tryClaim(int index) {
        if (index < FIRST || index > LAST) {
            throw new IllegalArgumentException("slot " + index + " outside " + FIRST + ".." + LAST);
        }
        synchronized (HELD_IN_THIS_JVM) {
            // fcntl locks are per process: a second lock from this JVM would not fail, so track our own.
            if (HELD_IN_THIS_JVM.contains(index)) {
                return null;
            }
            FileChannel channel = null;
            try {
                Files.createDirectories(LOCK_DIR);
                channel = FileChannel.open(
                        LOCK_DIR.resolve("slot-" + index + ".lock"),
                        StandardOpenOption.CREATE,
                        StandardOpenOption.WRITE);
                FileLock lock = channel.tryLock();
                if (lock == null) {
                    channel.close();
                    return null;
                }
                Slot slot = new Slot(index, channel, lock);
                HELD_IN_THIS_JVM.add(index);
                if (slot.removeLeftovers()) {
                    System.err.println("testkit: removed leftovers of an earlier run in slot " + index);
                }
                if (slot.addressesInUseInRootNamespace()) {
                    slot.close();
                    return null;
                }
                return slot;
            } catch (IOException e) {
                closeQuietly(channel);
                throw new UncheckedIOException("could not lock testkit slot " + index + " under " + LOCK_DIR, e);
            }
        }
    }

    /** The index {@code k} of this slot. */
    public int index() {
        return index;
    }

    /** Name of the network namespace: {@code rgns<k>}. */
    public String netnsName() {
        return "rgns" + index;
    }

    /** Root-namespace end of the underlay veth: {@code rgh<k>}. */
    public String hostLinkName() {
        return "rgh" + index;
    }

    /** Namespace end of the underlay veth: {@code rgn<k>}. */
    public String nsLinkName() {
        return "rgn" + index;
    }

    /** The wireguard-go interface: {@code rgwg<k>}. */
    public String wireguardInterfaceName() {
        return interfaceName("rgwg");
    }

    /** The RingGuard interface of {@link RingGuardPeer} and other RingGuard-in-a-namespace tests: {@code rgrg<k>}. */
    public String ringguardInterfaceName() {
        return interfaceName("rgrg");
    }

    /** An interface name for this slot with a fixture's own prefix, checked against the 15 character limit. */
    public String interfaceName(String prefix) {
        String name = prefix + index;
        if (name.length() > MAX_INTERFACE_NAME_LENGTH) {
            throw new IllegalArgumentException("interface name too long (max 15): " + name);
        }
        return name;
    }

    /**
     * Name of an end of underlay link {@code link} (1..63) from this slot's namespace to another one:
     * {@code rgla<k>x<link>} on this side, {@code rglb<k>x<link>} on the other.
     */
    public String peerLinkName(int link, boolean thisSide) {
        checkLink(link, 1);
        if (link == 0) {
            throw new IllegalArgumentException("link 0 is the root-namespace veth");
        }
        return (thisSide ? "rgla" : "rglb") + index + "x" + link;
    }

    /** IPv4 underlay address {@code 198.18.k.(4 * link + host)}, host 1 or 2 (prefix /30). */
    public String underlayAddress(int link, int host) {
        checkLink(link, host);
        return "198.18." + index + "." + (4 * link + host);
    }

    /** IPv6 underlay address {@code fd00:18:k:link::host}, host 1 or 2 (prefix /126). */
    public String underlayAddress6(int link, int host) {
        checkLink(link, host);
        return "fd00:18:" + index + ":" + link + "::" + host;
    }

    /** IPv4 tunnel address {@code 198.19.k.host} (prefix /24). */
    public String tunnelAddress(int host) {
        if (host < 1 || host > 254) {
            throw new IllegalArgumentException("tunnel host " + host + " outside 1..254");
        }
        return "198.19." + index + "." + host;
    }

    /** IPv6 tunnel address {@code fd00:19:k::host} with {@code host} written in decimal (prefix /64). */
    public String tunnelAddress6(int host) {
        if (host < 1 || host > 9999) {
            throw new IllegalArgumentException("tunnel host " + host + " outside 1..9999");
        }
        return "fd00:19:" + index + "::" + host;
    }

    /** The IPv4 tunnel subnet of this slot, {@code 198.19.k.0/24}, e.g. for a peer's allowed IPs. */
    public String tunnelSubnet() {
        return "198.19." + index + ".0/24";
    }

    /** The IPv6 tunnel subnet of this slot, {@code fd00:19:k::/64}. */
    public String tunnelSubnet6() {
        return "fd00:19:" + index + "::/64";
    }

    /**
     * Removes everything named after this slot: processes in its namespace (SIGKILL), the namespace,
     * the root-side veth and the wireguard-go and RingGuard UAPI sockets. Called on claim, and by {@link Netns#close()}.
     * Returns true when something was there.
     */
    boolean removeLeftovers() {
        boolean found = false;
        Path netns = NETNS_DIR.resolve(netnsName());
        if (Files.exists(netns)) {
            found = true;
            // A process inside keeps the namespace (and its veth) alive after `ip netns del`: kill first.
            killProcessesIn(netnsName());
            Exec.run(IP_TIMEOUT_MS, "ip", "netns", "del", netnsName());
        }
        if (Files.exists(Path.of("/sys/class/net", hostLinkName()))) {
            found = true;
            Exec.run(IP_TIMEOUT_MS, "ip", "link", "del", hostLinkName());
        }
        for (Path socket : socketPaths()) {
            if (Files.exists(socket)) {
                found = true;
                Exec.deleteQuietly(socket);
            }
        }
        return found;
    }

    /** True when nothing named after this slot exists any more. */
    boolean isClean() {
        return !Files.exists(NETNS_DIR.resolve(netnsName()))
                && !Files.exists(Path.of("/sys/class/net", hostLinkName()))
                && socketPaths().stream().noneMatch(Files::exists);
    }

    /** The UAPI sockets of the daemons named after this slot (wireguard-go's and RingGuard's). */
    private List<Path> socketPaths() {
        return List.of(
                WIREGUARD_SOCKET_DIR.resolve(wireguardInterfaceName() + ".sock"),
                WIREGUARD_SOCKET_DIR.resolve(ringguardInterfaceName() + ".sock"));
    }

    /** Releases the claim; does not remove anything (the owner does that first). Idempotent. */
    @Override
    public void close() {
        synchronized (HELD_IN_THIS_JVM) {
            if (released) {
                return;
            }
            released = true;
            if (lock == null) {
                return;
            }
            try {
                lock.release();
            } catch (IOException e) {
                System.err.println("testkit: could not release slot " + index + ": " + e.getMessage());
            }
            // The lock file stays: deleting it could let two processes lock two different inodes.
            closeQuietly(channel);
            HELD_IN_THIS_JVM.remove(index);
        }
    }

    @Override
    public String toString() {
        return "Slot[" + index + "]";
    }

    static void killProcessesIn(String netnsName) {
        ExecResult pids = Exec.run(IP_TIMEOUT_MS, "ip", "netns", "pids", netnsName);
        for (String line : pids.out().split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            Optional<ProcessHandle> handle = ProcessHandle.of(Long.parseLong(line.strip()));
            if (handle.isEmpty()) {
                continue;
            }
            System.err.println("testkit: killing pid " + line.strip() + " left in netns " + netnsName);
            handle.get().destroyForcibly();
            try {
                handle.get().onExit().get(Exec.STOP_GRACE_MS, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (ExecutionException | TimeoutException e) {
                System.err.println("testkit: pid " + line.strip() + " did not exit: " + e);
            }
        }
    }

    private boolean addressesInUseInRootNamespace() {
        // Someone outside the testkit (a hand-made setup, another harness) may use our addresses; skip.
        String addresses =
                Exec.run(IP_TIMEOUT_MS, "ip", "-o", "addr", "show").orThrow().out();
        return addresses.contains(" 198.18." + index + ".") || addresses.contains(" 198.19." + index + ".");
    }

    private static void checkLink(int link, int host) {
        if (link < 0 || link > 63 || host < 1 || host > 2) {
            throw new IllegalArgumentException("underlay link " + link + " host " + host + " outside 0..63 / 1..2");
        }
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel == null) {
            return;
        }
        try {
            channel.close();
        } catch (IOException e) {
            System.err.println("testkit: could not close slot lock file: " + e.getMessage());
        }
    }
}
