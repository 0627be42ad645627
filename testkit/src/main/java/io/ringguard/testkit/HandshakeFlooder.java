package io.ringguard.testkit;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.bouncycastle.crypto.digests.Blake2sDigest;

/**
 * A handshake flood for abuse tests: WireGuard initiations (type 1, 148 bytes) whose mac1 is valid for the
 * target's static public key and whose other fields are random, sent round-robin from many source
 * addresses at a fixed rate for a bounded time, counting what comes back by type.
 *
 * <p>Valid mac1 is what makes the flood expensive: a gateway drops a bad mac1 after one BLAKE2s, but must
 * treat a good one as a possible peer. Not under load it tries the Noise handshake (an X25519, which fails
 * on the random fields, so no response); under load it must answer with a cookie reply (type 3, 64 bytes)
 * instead. A handshake response (type 2, 92 bytes) to the flood would mean the gateway accepted a forged
 * initiation. Every initiation carries mac2 = 0, so it can never pass a cookie check.
 *
 * <pre>
 *   mac1 = BLAKE2s-128(key = BLAKE2s-256("mac1----" || target static public key), message[0..116))
 *   message: type 1 | 3 reserved zero bytes | random sender index, ephemeral, static, timestamp | mac1 | mac2 = 0
 * </pre>
 *
 * <p>Sources: one non-blocking {@link DatagramChannel} per source address, bound to it and connected to the
 * target (so only the target's datagrams are counted), all on one {@link Selector}. Several sources are
 * what a distributed flood looks like to a per-source rate limiter; the addresses must exist in the
 * namespace the flooder runs in ({@link #addAddresses}).
 *
 * <p>Pacing: packets are due on a schedule from {@link System#nanoTime()} (packet {@code i} at {@code i /
 * rate}); due packets go out in batches of {@code rate /} {@link #WAKEUPS_PER_SECOND} (at most {@link
 * #BATCH_PACKETS}), and between batches the sender drains replies and parks until the next batch is due, so a
 * 20,000/s flood wakes about 100 times a second instead of spinning. A sender that falls behind sends without parking, and stops at the duration however
 * far behind it is; {@link Result#sentPerSecond()} says what it achieved.
 *
 * <p>To flood from inside a network namespace, run it as a program there ({@link #javaCommand} with {@link
 * Netns#spawn}); it prints one {@link Result} line per phase, which {@link Result#parse} reads back.
 *
 * <p>Thread safety: one thread uses an instance; {@link #close()} closes every socket.
 */
public final class HandshakeFlooder implements AutoCloseable {
    public static final int MESSAGE_TYPE_INITIATION = 1;
    public static final int MESSAGE_TYPE_RESPONSE = 2;
    public static final int MESSAGE_TYPE_COOKIE_REPLY = 3;
    public static final int INITIATION_LENGTH_BYTES = 148;
    public static final int RESPONSE_LENGTH_BYTES = 92;
    public static final int COOKIE_REPLY_LENGTH_BYTES = 64;
    public static final int PUBLIC_KEY_BYTES = 32;
    /** Where mac1 starts: it covers every byte before it. */
    public static final int MAC1_OFFSET = 116;

    public static final int MAC_BYTES = 16;
    /** Most packets sent back to back before the sender looks at replies and the clock again. */
    public static final int BATCH_PACKETS = 200;
    /** How often the sender wakes up at most, unless it is behind. */
    public static final int WAKEUPS_PER_SECOND = 100;
    /** Hard bound on one flood: a typo in a test cannot flood for an hour. */
    public static final long MAX_DURATION_NS = TimeUnit.MINUTES.toNanos(2);
    /** Hard bound on listening for replies after the last send. */
    public static final long MAX_LISTEN_NS = TimeUnit.SECONDS.toNanos(30);

    public static final int MAX_SOURCES = 4_096;
    /** How long {@link #main} waits for its start file before it gives up. */
    public static final long START_FILE_TIMEOUT_NS = TimeUnit.MINUTES.toNanos(2);

    public static final int MAX_RATE_PER_SECOND = 1_000_000;

    private static final long NS_PER_SECOND = 1_000_000_000L;
    private static final byte[] MAC1_LABEL = "mac1----".getBytes(StandardCharsets.US_ASCII);
    /** Datagrams read from one socket per readiness event, so one busy source cannot starve the sender. */
    private static final int READS_PER_KEY = 64;

    private static final int SENDER_INDEX_OFFSET = 4;

    private final InetSocketAddress target;
    private final DatagramChannel[] channels;
    private final Selector selector;
    private final Blake2sDigest mac1;
    private final byte[] message = new byte[INITIATION_LENGTH_BYTES];
    private final ByteBuffer messageBuffer = ByteBuffer.wrap(message).order(ByteOrder.LITTLE_ENDIAN);
    private final ByteBuffer reply = ByteBuffer.allocate(2_048);
    private final SplittableRandom random = new SplittableRandom();

    // Per-run counters, reset by run().
    private long startNs;
    private long cookieReplies;
    private long responses;
    private long others;
    private long readErrors;
    private long firstCookieReplyNs;
    private long lastCookieReplyNs;
    /** Datagrams sent and cookie replies received in each second of the last run, for {@link #timeline()}. */
    private long[] sentBySecond = new long[0];

    private long[] cookieRepliesBySecond = new long[0];

    /**
     * What one {@link #run} did.
     *
     * @param sources source addresses used
     * @param attempted packets the schedule asked for
     * @param sent datagrams the kernel took
     * @param sendFailures datagrams it refused (socket buffer full, an ICMP error from an earlier one)
     * @param sendElapsedNs from the first send to the end of the last one
     * @param cookieReplies type 3 messages of 64 bytes received, on all sockets
     * @param responses type 2 messages of 92 bytes received
     * @param others anything else received from the target
     * @param readErrors reads that failed (e.g. ICMP port unreachable)
     * @param firstCookieReplyAfterNs from the first send to the first cookie reply, -1 without one
     * @param lastCookieReplyAfterNs from the first send to the last cookie reply, -1 without one
     */
    public record Result(
            int sources,
            long attempted,
            long sent,
            long sendFailures,
            long sendElapsedNs,
            long cookieReplies,
            long responses,
            long others,
            long readErrors,
            long firstCookieReplyAfterNs,
            long lastCookieReplyAfterNs) {

        /** Datagrams sent per second over the sending time (all of them, for a single packet). */
        public double sentPerSecond() {
            return sendElapsedNs <= 0 ? sent : sent * (double) NS_PER_SECOND / sendElapsedNs;
        }

        /** {@code label key=value ...}, one line, what {@link #parse} reads. */
        public String toLine(String label) {
            return label + " sources=" + sources + " attempted=" + attempted + " sent=" + sent + " send_failures="
                    + sendFailures + " send_elapsed_ns=" + sendElapsedNs + " cookie_replies=" + cookieReplies
                    + " responses=" + responses + " others=" + others + " read_errors=" + readErrors
                    + " first_cookie_reply_after_ns=" + firstCookieReplyAfterNs + " last_cookie_reply_after_ns="
                    + lastCookieReplyAfterNs + String.format(" sent_per_second=%.0f", sentPerSecond());
        }

        /** The result on the first line of {@code output} that starts with {@code label}; throws without one. */
        public static Result parse(String label, String output) {
            for (String line : output.split("\n")) {
                String[] words = line.strip().split(" ");
                if (!words[0].equals(label)) {
                    continue;
                }
                Map<String, Long> fields = new HashMap<>();
                for (int i = 1; i < words.length; i++) {
                    int eq = words[i].indexOf('=');
                    if (eq > 0 && !words[i].startsWith("sent_per_second=")) {
                        fields.put(words[i].substring(0, eq), Long.parseLong(words[i].substring(eq + 1)));
                    }
                }
                return new Result(
                        Math.toIntExact(field(fields, "sources", line)),
                        field(fields, "attempted", line),
                        field(fields, "sent", line),
                        field(fields, "send_failures", line),
                        field(fields, "send_elapsed_ns", line),
                        field(fields, "cookie_replies", line),
                        field(fields, "responses", line),
                        field(fields, "others", line),
                        field(fields, "read_errors", line),
                        field(fields, "first_cookie_reply_after_ns", line),
                        field(fields, "last_cookie_reply_after_ns", line));
            }
            throw new IllegalArgumentException("no '" + label + "' line in flooder output:\n" + output);
        }

        private static long field(Map<String, Long> fields, String name, String line) {
            Long value = fields.get(name);
            if (value == null) {
                throw new IllegalArgumentException("no " + name + " in: " + line);
            }
            return value;
        }
    }

    private HandshakeFlooder(InetSocketAddress target, DatagramChannel[] channels, Selector selector, byte[] mac1Key) {
        this.target = target;
        this.channels = channels;
        this.selector = selector;
        this.mac1 = new Blake2sDigest(mac1Key, MAC_BYTES, null, null);
    }

    /**
     * Binds one socket to each of {@code sources} (port chosen by the kernel), connects it to {@code
     * target} and registers it for reading. Closes what it opened when any step fails.
     */
    public static HandshakeFlooder open(List<InetAddress> sources, InetSocketAddress target, byte[] targetPublicKey) {
        if (sources.isEmpty() || sources.size() > MAX_SOURCES) {
            throw new IllegalArgumentException("1.." + MAX_SOURCES + " sources, got " + sources.size());
        }
        if (targetPublicKey.length != PUBLIC_KEY_BYTES) {
            throw new IllegalArgumentException("a public key has 32 bytes, got " + targetPublicKey.length);
        }
        DatagramChannel[] channels = new DatagramChannel[sources.size()];
        Selector selector = null;
        try {
            selector = Selector.open();
            for (int i = 0; i < channels.length; i++) {
                InetAddress source = sources.get(i);
                DatagramChannel channel = DatagramChannel.open(
                        source.getAddress().length == 4 ? StandardProtocolFamily.INET : StandardProtocolFamily.INET6);
                channels[i] = channel;
                channel.bind(new InetSocketAddress(source, 0));
                channel.connect(target);
                channel.configureBlocking(false);
                channel.register(selector, SelectionKey.OP_READ);
            }
            return new HandshakeFlooder(target, channels, selector, mac1Key(targetPublicKey));
        } catch (IOException e) {
            closeAll(channels, selector);
            throw new UncheckedIOException("could not open flood sockets towards " + target, e);
        }
    }

    /** BLAKE2s-256("mac1----" || public key): the key of every mac1 sent to that public key. */
    public static byte[] mac1Key(byte[] publicKey) {
        Blake2sDigest hash = new Blake2sDigest(256);
        hash.update(MAC1_LABEL, 0, MAC1_LABEL.length);
        hash.update(publicKey, 0, publicKey.length);
        byte[] key = new byte[32];
        hash.doFinal(key, 0);
        return key;
    }

    /**
     * Sends {@code max(1, ratePerSecond * durationNs / 1e9)} initiations on schedule (stopping at {@code
     * durationNs} if it falls behind), then keeps counting replies for {@code listenNs}. Returns the counts.
     */
    public Result run(int ratePerSecond, long durationNs, long listenNs) {
        if (ratePerSecond < 1 || ratePerSecond > MAX_RATE_PER_SECOND) {
            throw new IllegalArgumentException("rate 1.." + MAX_RATE_PER_SECOND + " per second, got " + ratePerSecond);
        }
        if (durationNs < 0 || durationNs > MAX_DURATION_NS || listenNs < 0 || listenNs > MAX_LISTEN_NS) {
            throw new IllegalArgumentException("duration 0.." + MAX_DURATION_NS + " ns and listen 0.." + MAX_LISTEN_NS
                    + " ns, got " + durationNs + " and " + listenNs);
        }
        long total = Math.max(1, ratePerSecond * durationNs / NS_PER_SECOND);
        // When packet `total - 1` is due: the last wake-up, however the batches fall.
        long lastDueNs = (total - 1) * NS_PER_SECOND / ratePerSecond;
        int seconds = (int) ((durationNs + listenNs) / NS_PER_SECOND) + 2;
        sentBySecond = new long[seconds];
        cookieRepliesBySecond = new long[seconds];
        cookieReplies = 0;
        responses = 0;
        others = 0;
        readErrors = 0;
        firstCookieReplyNs = -1;
        lastCookieReplyNs = -1;
        // About 100 wake-ups a second at any rate: batches of 200 at 20,000/s, smooth pacing at low rates.
        long batchPackets = Math.clamp(ratePerSecond / WAKEUPS_PER_SECOND, 1, BATCH_PACKETS);
        long attempted = 0;
        long sent = 0;
        int next = 0;
        startNs = System.nanoTime();
        long nowNs = startNs;
        while (attempted < total) {
            long elapsedNs = nowNs - startNs;
            long due = Math.min(total, 1 + elapsedNs * ratePerSecond / NS_PER_SECOND);
            if (elapsedNs >= durationNs && due - attempted > batchPackets) {
                // More than a batch behind at the end is a slow machine, not a late wake-up: stop on time.
                break;
            }
            if (due > attempted) {
                long batch = Math.min(due - attempted, batchPackets);
                for (long i = 0; i < batch; i++) {
                    if (sendOne(channels[next])) {
                        sent++;
                        sentBySecond[second(nowNs)]++;
                    }
                    next = next + 1 == channels.length ? 0 : next + 1;
                }
                attempted += batch;
            } else {
                // Nothing due: park until a whole batch is (or the last packet is), not for every packet.
                long wakeNs = Math.min((attempted + batchPackets - 1) * NS_PER_SECOND / ratePerSecond, lastDueNs);
                drainReplies();
                LockSupport.parkNanos(startNs + wakeNs - System.nanoTime());
            }
            drainReplies();
            nowNs = System.nanoTime();
        }
        long sendEndNs = System.nanoTime();
        long listenEndNs = sendEndNs + listenNs;
        for (long leftNs = listenNs; leftNs > 0; leftNs = listenEndNs - System.nanoTime()) {
            try {
                selector.select(Math.max(1, TimeUnit.NANOSECONDS.toMillis(leftNs)));
            } catch (IOException e) {
                throw new UncheckedIOException("select failed", e);
            }
            drainReplies();
        }
        return new Result(
                channels.length,
                attempted,
                sent,
                attempted - sent,
                sendEndNs - startNs,
                cookieReplies,
                responses,
                others,
                readErrors,
                firstCookieReplyNs,
                lastCookieReplyNs);
    }

    /**
     * Per second of the last run, from its first send: {@code sent_by_second=a,b,... cookie_replies_by_second=c,d,...}.
     * Shows when the target started and stopped answering with cookies, e.g. whether under-load mode held.
     */
    public String timeline() {
        return "sent_by_second=" + join(sentBySecond) + " cookie_replies_by_second=" + join(cookieRepliesBySecond);
    }

    private static String join(long[] values) {
        StringBuilder out = new StringBuilder();
        for (long value : values) {
            out.append(out.isEmpty() ? "" : ",").append(value);
        }
        return out.toString();
    }

    private int second(long atNs) {
        return Math.clamp((atNs - startNs) / NS_PER_SECOND, 0, sentBySecond.length - 1);
    }

    /** A fresh initiation with a valid mac1 on {@code channel}; false when the kernel refused it. */
    private boolean sendOne(DatagramChannel channel) {
        messageBuffer.putInt(0, MESSAGE_TYPE_INITIATION);
        for (int offset = SENDER_INDEX_OFFSET; offset < MAC1_OFFSET; offset += Long.BYTES) {
            messageBuffer.putLong(offset, random.nextLong());
        }
        mac1.update(message, 0, MAC1_OFFSET);
        mac1.doFinal(message, MAC1_OFFSET);
        // mac2 (the last 16 bytes) stays zero: the flood never has a cookie.
        messageBuffer.clear();
        try {
            return channel.write(messageBuffer) == INITIATION_LENGTH_BYTES;
        } catch (IOException e) {
            // ENOBUFS, or an ICMP error an earlier datagram provoked: the schedule goes on.
            return false;
        }
    }

    private void drainReplies() {
        try {
            // Not "return when selectNow() is 0": it counts only keys it newly selected, and a select()
            // before may have left some in the selected set already.
            selector.selectNow();
        } catch (IOException e) {
            throw new UncheckedIOException("select failed", e);
        }
        Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
        while (keys.hasNext()) {
            SelectionKey key = keys.next();
            keys.remove();
            DatagramChannel channel = (DatagramChannel) key.channel();
            for (int i = 0; i < READS_PER_KEY; i++) {
                reply.clear();
                int length;
                try {
                    length = channel.read(reply);
                } catch (IOException e) {
                    readErrors++;
                    break;
                }
                if (length <= 0) {
                    break;
                }
                count(length);
            }
        }
    }

    private void count(int lengthBytes) {
        int type = reply.get(0);
        if (type == MESSAGE_TYPE_COOKIE_REPLY && lengthBytes == COOKIE_REPLY_LENGTH_BYTES) {
            long afterNs = System.nanoTime() - startNs;
            if (cookieReplies++ == 0) {
                firstCookieReplyNs = afterNs;
            }
            lastCookieReplyNs = afterNs;
            cookieRepliesBySecond[second(startNs + afterNs)]++;
        } else if (type == MESSAGE_TYPE_RESPONSE && lengthBytes == RESPONSE_LENGTH_BYTES) {
            responses++;
        } else {
            others++;
        }
    }

    @Override
    public void close() {
        closeAll(channels, selector);
    }

    @Override
    public String toString() {
        return "HandshakeFlooder[" + channels.length + " sources -> " + target + "]";
    }

    private static void closeAll(DatagramChannel[] channels, Selector selector) {
        for (DatagramChannel channel : channels) {
            closeQuietly(channel);
        }
        closeQuietly(selector);
    }

    private static void closeQuietly(AutoCloseable closeable) {
        if (closeable == null) {
            return;
        }
        try {
            closeable.close();
        } catch (Exception e) {
            System.err.println("HandshakeFlooder: could not close " + closeable + ": " + e);
        }
    }

    // ---- running it inside a namespace

    /**
     * Adds each address as a /32 (IPv4) or /128 (IPv6) to {@code device} in {@code netns} with one {@code ip
     * -batch}, so the flooder can bind to it there.
     */
    public static void addAddresses(Netns netns, String device, List<String> addresses) {
        StringBuilder batch = new StringBuilder();
        for (String address : addresses) {
            batch.append("addr add ")
                    .append(address)
                    .append(address.contains(":") ? "/128 dev " : "/32 dev ")
                    .append(device)
                    .append(address.contains(":") ? " nodad\n" : "\n");
        }
        netns.exec(Netns.IP_TIMEOUT_MS * 4, batch.toString().getBytes(StandardCharsets.US_ASCII), "ip", "-batch", "-")
                .orThrow();
    }

    /** {@code prefix + first} .. {@code prefix + last}, e.g. {@code ("198.19.7.", 1, 253)}. */
    public static List<String> addressRange(String prefix, int first, int last) {
        List<String> addresses = new ArrayList<>();
        for (int host = first; host <= last; host++) {
            addresses.add(prefix + host);
        }
        return addresses;
    }

    /**
     * The command that runs {@link #main} with this JVM's {@code java} and a class path of the test kit and
     * BouncyCastle. C1 only, serial GC and a small heap: the flooder must leave the 2-core machine's CPU to
     * what it floods.
     */
    public static String[] javaCommand(String... flooderArgs) {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1",
                "-XX:+UseSerialGC",
                "-Xmx64m",
                "-cp",
                codeSource(HandshakeFlooder.class) + File.pathSeparator + codeSource(Blake2sDigest.class),
                HandshakeFlooder.class.getName()));
        command.addAll(List.of(flooderArgs));
        return command.toArray(String[]::new);
    }

    private static String codeSource(Class<?> type) {
        try {
            return Path.of(type.getProtectionDomain()
                            .getCodeSource()
                            .getLocation()
                            .toURI())
                    .toString();
        } catch (URISyntaxException e) {
            throw new IllegalStateException("no class path entry for " + type, e);
        }
    }

    /**
     * {@code --target HOST:PORT --public-key BASE64 --sources A,B,... --rate N --duration-ms N [--listen-ms N]
     * [--start-file PATH] [--probe-source ADDR [--probe-after-ms N] [--probe-listen-ms N]]}.
     *
     * <p>Opens its sockets and prints {@code ready}; with a start file, waits (polling every millisecond, at
     * most {@link #START_FILE_TIMEOUT_NS}) until it exists, so the caller decides to the millisecond when the
     * flood starts without counting the JVM's start-up; floods and prints a {@code flood} line; with a probe
     * source, waits until {@code probe-after-ms} after the flood's last send, sends one initiation
     * from that address, listens, and prints a {@code probe} line. Exits 2 on bad arguments.
     */
    public static void main(String[] args) throws UnknownHostException {
        Map<String, String> options = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (!args[i].startsWith("--")) {
                usage("not an option: " + args[i]);
            }
            options.put(args[i].substring(2), args[i + 1]);
        }
        if (args.length % 2 != 0) {
            usage("an option without a value: " + args[args.length - 1]);
        }
        InetSocketAddress target = parseEndpoint(required(options, "target"));
        byte[] publicKey = Base64.getDecoder().decode(required(options, "public-key"));
        List<InetAddress> sources = new ArrayList<>();
        for (String source : required(options, "sources").split(",")) {
            sources.add(InetAddress.getByName(source.strip()));
        }
        int rate = Integer.parseInt(required(options, "rate"));
        long durationNs = TimeUnit.MILLISECONDS.toNanos(Long.parseLong(required(options, "duration-ms")));
        long listenNs = TimeUnit.MILLISECONDS.toNanos(Long.parseLong(options.getOrDefault("listen-ms", "500")));
        String probeSource = options.get("probe-source");
        if (durationNs > MAX_DURATION_NS) {
            usage("--duration-ms above " + TimeUnit.NANOSECONDS.toMillis(MAX_DURATION_NS));
        }
        long probeAfterNs =
                TimeUnit.MILLISECONDS.toNanos(Long.parseLong(options.getOrDefault("probe-after-ms", "2000")));
        long probeListenNs =
                TimeUnit.MILLISECONDS.toNanos(Long.parseLong(options.getOrDefault("probe-listen-ms", "1000")));
        Path startFile = options.containsKey("start-file") ? Path.of(options.get("start-file")) : null;

        // Open everything first: a bind failure shows before the flood, not in the middle of a test.
        try (HandshakeFlooder flood = open(sources, target, publicKey);
                HandshakeFlooder probe = probeSource == null
                        ? null
                        : open(List.of(InetAddress.getByName(probeSource)), target, publicKey)) {
            System.out.println("ready sources=" + sources.size() + " target=" + target);
            if (startFile != null && !awaitFile(startFile, START_FILE_TIMEOUT_NS)) {
                System.out.println("error no start file " + startFile + " within "
                        + TimeUnit.NANOSECONDS.toSeconds(START_FILE_TIMEOUT_NS) + " s");
                System.exit(3);
            }
            Result flooded = flood.run(rate, durationNs, Math.min(listenNs, probeAfterNs));
            System.out.println(flooded.toLine("flood"));
            System.out.println("flood_timeline " + flood.timeline());
            if (probe != null) {
                long probeAtNs = flood.startNs + flooded.sendElapsedNs() + probeAfterNs;
                for (long leftNs = probeAtNs - System.nanoTime(); leftNs > 0; leftNs = probeAtNs - System.nanoTime()) {
                    LockSupport.parkNanos(leftNs);
                }
                System.out.println(probe.run(1, 0, probeListenNs).toLine("probe"));
            }
        }
        System.out.flush();
    }

    private static boolean awaitFile(Path file, long timeoutNs) {
        long deadlineNs = System.nanoTime() + timeoutNs;
        while (!Files.exists(file)) {
            if (System.nanoTime() - deadlineNs > 0) {
                return false;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
        return true;
    }

    private static InetSocketAddress parseEndpoint(String endpoint) throws UnknownHostException {
        int colon = endpoint.lastIndexOf(':');
        if (colon < 0) {
            usage("--target needs HOST:PORT, got " + endpoint);
        }
        String host = endpoint.substring(0, colon).replace("[", "").replace("]", "");
        return new InetSocketAddress(InetAddress.getByName(host), Integer.parseInt(endpoint.substring(colon + 1)));
    }

    private static String required(Map<String, String> options, String name) {
        String value = options.get(name);
        if (value == null) {
            usage("missing --" + name);
        }
        return value;
    }

    private static void usage(String problem) {
        System.err.println("HandshakeFlooder: " + problem);
        System.err.println("usage: --target HOST:PORT --public-key BASE64 --sources A,B,... --rate N --duration-ms N"
                + " [--listen-ms N] [--start-file PATH] [--probe-source ADDR] [--probe-after-ms N]"
                + " [--probe-listen-ms N]");
        System.exit(2);
    }
}
