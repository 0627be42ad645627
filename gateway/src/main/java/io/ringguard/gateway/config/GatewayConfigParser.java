package io.ringguard.gateway.config;

import io.ringguard.dataplane.config.Cidr;
import io.ringguard.dataplane.config.DeviceConfig;
import io.ringguard.dataplane.config.Endpoint;
import io.ringguard.dataplane.config.PeerConfig;
import io.ringguard.dataplane.config.PublicKey;
import io.ringguard.dataplane.device.DeviceSettings;
import io.ringguard.handshake.keys.Keys;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Reads the config file of {@code ringguard up CONFIG} (CONTRACTS.md section 3): wg-quick's format
 * plus the RingGuard-only {@code [Gateway]} section, into a fully validated {@link GatewayConfig}.
 *
 * <p>Flow: read the file into a {@code byte[]}, decode it into a {@code char[]}, walk it line by line
 * (BOM, CRLF, {@code #} comments, blank lines, whitespace around {@code =}), check and convert each
 * value where it stands, then check what spans lines (required keys, duplicate peers, a prefix given
 * to two peers, settings that need each other). The first problem found is thrown as a {@link
 * ConfigException} naming file, line and key; nothing is half-applied because nothing is applied.
 *
 * <p>Secrets: private and preshared keys are decoded straight from the {@code char[]} through
 * {@link CharSlice} views, never become a {@code String}, and the file's bytes and chars, and every
 * intermediate key array, are zeroed before {@link #parse(Path)} returns. The only copies left are
 * the ones held by the returned {@link DeviceConfig} and {@link PeerConfig}s.
 *
 * <p>Peer endpoints that name a host are resolved once, here, through the injected {@link
 * HostResolver}. Relative paths ({@code Storage = sqlite:...}, {@code AdminTokenFile}) are taken
 * relative to the directory of the config file. Stateless apart from the resolver; any thread.
 */
public final class GatewayConfigParser {
    /** Larger than any sane config (10k peers take about 2 MiB) and small enough to never hurt the heap. */
    public static final int MAX_FILE_BYTES = 16 << 20;

    /** wg-quick's rule for interface names: at most IFNAMSIZ - 1 of these characters. */
    private static final Pattern INTERFACE_NAME = Pattern.compile("[a-zA-Z0-9_=+.-]{1,15}");

    private static final String CONF_SUFFIX = ".conf";
    private static final char BOM = '\uFEFF';
    private static final int MIN_SEND_PORT = 1;
    private static final int MIN_LISTEN_PORT = 0;
    private static final int MAX_IPV4_POOL_PREFIX = 30;
    private static final int MAX_IPV6_POOL_PREFIX = 126;

    private final HostResolver resolver;

    public GatewayConfigParser(HostResolver resolver) {
        this.resolver = Objects.requireNonNull(resolver, "resolver");
    }

    /** A parser that resolves endpoint host names with the system resolver. */
    public static GatewayConfigParser withSystemResolver() {
        return new GatewayConfigParser(HostResolver.SYSTEM);
    }

    /**
     * Reads and parses {@code file}; the interface is named after the file ({@code wg0.conf} is
     * {@code wg0}). Zeroes its own copies of the file's content before returning.
     *
     * @throws ConfigException if the file cannot be read or is not a valid config
     */
    public GatewayConfig parse(Path file) throws ConfigException {
        byte[] bytes = read(file);
        CharBuffer chars = null;
        try {
            chars = decode(file, bytes);
            return parse(file, chars.array(), chars.position());
        } finally {
            Arrays.fill(bytes, (byte) 0);
            if (chars != null) {
                Arrays.fill(chars.array(), '\0');
            }
        }
    }

    /**
     * Parses config text that is already in memory; {@code file} names it in errors, gives the
     * interface name and the directory relative paths start from. The caller owns {@code text}
     * (and should zero it).
     *
     * @throws ConfigException if the text is not a valid config
     */
    public GatewayConfig parse(Path file, char[] text) throws ConfigException {
        return parse(file, text, text.length);
    }

    private GatewayConfig parse(Path file, char[] text, int length) throws ConfigException {
        Run run = new Run(file, interfaceName(file), text, length);
        try {
            return run.parse();
        } finally {
            run.wipe();
        }
    }

    /** {@code /etc/wireguard/wg0.conf} is {@code wg0}; the name must suit the kernel, like wg-quick's check. */
    static String interfaceName(Path file) throws ConfigException {
        Path name = file.getFileName();
        String base = name == null ? "" : name.toString();
        if (base.endsWith(CONF_SUFFIX)) {
            base = base.substring(0, base.length() - CONF_SUFFIX.length());
        }
        if (!INTERFACE_NAME.matcher(base).matches()) {
            throw new ConfigException(
                    file,
                    ConfigException.WHOLE_FILE,
                    null,
                    "the file must be named IFACE.conf, where the interface name IFACE is 1 to 15 of"
                            + " a-z A-Z 0-9 _ = + . -");
        }
        return base;
    }

    /**
     * The whole file in one array that nothing else has seen. {@code readAllBytes} would leave
     * unwiped chunk buffers behind, so this reads straight into our own array and zeroes any array
     * it outgrows. Works for pipes too ({@code ringguard up <(...)}), whose size is unknown.
     */
    private static byte[] read(Path file) throws ConfigException {
        byte[] bytes = null;
        try (InputStream in = Files.newInputStream(file)) {
            long sizeHint = Files.isRegularFile(file) ? Files.size(file) : 0;
            bytes = new byte[(int) Math.clamp(sizeHint + 1, 4096, MAX_FILE_BYTES + 1L)];
            int length = 0;
            while (true) {
                int n = in.read(bytes, length, bytes.length - length);
                if (n < 0) {
                    break;
                }
                length += n;
                if (length > MAX_FILE_BYTES) {
                    throw new ConfigException(
                            file, ConfigException.WHOLE_FILE, null, "larger than " + (MAX_FILE_BYTES >> 20) + " MiB");
                }
                if (length == bytes.length) {
                    byte[] bigger = Arrays.copyOf(bytes, (int) Math.min(2L * bytes.length, MAX_FILE_BYTES + 1L));
                    Arrays.fill(bytes, (byte) 0);
                    bytes = bigger;
                }
            }
            byte[] exact = Arrays.copyOf(bytes, length);
            Arrays.fill(bytes, (byte) 0);
            return exact;
        } catch (IOException e) {
            if (bytes != null) {
                Arrays.fill(bytes, (byte) 0);
            }
            throw new ConfigException(file, ConfigException.WHOLE_FILE, null, "cannot read: " + e, e);
        } catch (ConfigException e) {
            Arrays.fill(bytes, (byte) 0);
            throw e;
        }
    }

    /** Strict UTF-8 into a char array (never a String); a bad byte sequence is reported by line. */
    private static CharBuffer decode(Path file, byte[] bytes) throws ConfigException {
        CharsetDecoder decoder = StandardCharsets.UTF_8
                .newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length); // UTF-8 never has fewer bytes than UTF-16 units
        CoderResult result = decoder.decode(in, out, true);
        if (!result.isError()) {
            result = decoder.flush(out);
        }
        if (result.isError()) {
            int line = 1;
            for (int i = 0; i < in.position(); i++) {
                line += bytes[i] == '\n' ? 1 : 0;
            }
            Arrays.fill(out.array(), '\0');
            throw new ConfigException(file, line, null, "not valid UTF-8");
        }
        return out;
    }

    /** One parse: the state of the walk through the file. Confined to the calling thread. */
    private final class Run {
        private final Path file;
        private final Path directory;
        private final String iface;
        private final char[] text;
        private final int length;

        private ConfigKey.Section section;
        private int lineNumber;
        private InterfaceDraft interfaceDraft;
        private GatewayDraft gateway;
        private final List<PeerDraft> peers = new ArrayList<>();

        Run(Path file, String iface, char[] text, int length) {
            this.file = file;
            Path parent = file.toAbsolutePath().getParent();
            this.directory = parent == null ? Path.of("/") : parent;
            this.iface = iface;
            this.text = text;
            this.length = length;
        }

        GatewayConfig parse() throws ConfigException {
            int pos = length > 0 && text[0] == BOM ? 1 : 0;
            while (pos < length) {
                lineNumber++;
                int eol = pos;
                while (eol < length && text[eol] != '\n') {
                    eol++;
                }
                int end = eol > pos && text[eol - 1] == '\r' ? eol - 1 : eol;
                line(pos, end);
                pos = eol + 1;
            }
            return finish();
        }

        void wipe() {
            if (interfaceDraft != null && interfaceDraft.privateKey != null) {
                Arrays.fill(interfaceDraft.privateKey, (byte) 0);
            }
            for (PeerDraft peer : peers) {
                if (peer.presharedKey != null) {
                    Arrays.fill(peer.presharedKey, (byte) 0);
                }
            }
        }

        private ConfigException error(int line, String key, String reason) {
            return new ConfigException(file, line, key, reason);
        }

        private void line(int start, int end) throws ConfigException {
            int stop = start;
            while (stop < end && text[stop] != '#') {
                stop++;
            }
            CharSlice raw = new CharSlice(text, start, stop);
            CharSlice content = raw.trim();
            for (int i = 0; i < raw.length(); i++) {
                char c = raw.charAt(i);
                if ((c < ' ' && c != '\t') || c == '\u007F') {
                    throw error(lineNumber, firstWord(content), "control character in the line");
                }
            }
            if (content.isEmpty()) {
                return;
            }
            if (content.charAt(0) == '[') {
                header(content);
                return;
            }
            int equals = content.indexOf('=');
            if (equals < 0) {
                throw error(lineNumber, firstWord(content), "expected Key = Value or a [Section]");
            }
            CharSlice name = content.subSequence(0, equals).trim();
            CharSlice value = content.subSequence(equals + 1, content.length()).trim();
            entry(name, value);
        }

        /** The line's first word if it is fit to print (see {@link ConfigValues#printable}). */
        private String firstWord(CharSlice content) {
            int end = 0;
            while (end < content.length() && content.charAt(end) > ' ' && content.charAt(end) != '=') {
                end++;
            }
            return ConfigValues.printable(content.subSequence(0, end));
        }

        private void header(CharSlice content) throws ConfigException {
            if (content.charAt(content.length() - 1) != ']') {
                throw error(
                        lineNumber,
                        ConfigValues.printable(content.subSequence(1, content.length())),
                        "a section header must end with ']'");
            }
            CharSlice name = content.subSequence(1, content.length() - 1).trim();
            ConfigKey.Section found = ConfigKey.Section.find(name);
            if (found == null) {
                throw error(
                        lineNumber,
                        "[" + ConfigValues.printable(name) + "]",
                        "unknown section (expected [Interface], [Peer] or [Gateway])");
            }
            section = found;
            switch (found) {
                case INTERFACE -> {
                    if (interfaceDraft != null) {
                        throw error(
                                lineNumber,
                                found.header(),
                                "appears twice (first on line " + interfaceDraft.line + ")");
                    }
                    interfaceDraft = new InterfaceDraft(lineNumber);
                }
                case GATEWAY -> {
                    if (gateway != null) {
                        throw error(lineNumber, found.header(), "appears twice (first on line " + gateway.line + ")");
                    }
                    gateway = new GatewayDraft(lineNumber, iface);
                }
                case PEER -> peers.add(new PeerDraft(lineNumber));
                default -> throw new IllegalStateException("unhandled section " + found);
            }
        }

        private void entry(CharSlice name, CharSlice value) throws ConfigException {
            String printable = ConfigValues.printable(name);
            if (section == null) {
                throw error(lineNumber, printable, "outside any section (start with [Interface])");
            }
            ConfigKey key = ConfigKey.find(name);
            if (key == null) {
                throw error(lineNumber, printable, "unknown key in " + section.header());
            }
            if (key.section != section) {
                throw error(
                        lineNumber, key.title, "belongs in " + key.section.header() + ", not in " + section.header());
            }
            Map<ConfigKey, Integer> seen = switch (section) {
                case INTERFACE -> interfaceDraft.seen;
                case PEER -> peers.getLast().seen;
                case GATEWAY -> gateway.seen;
            };
            Integer first = seen.putIfAbsent(key, lineNumber);
            if (first != null && !key.repeatable) {
                throw error(lineNumber, key.title, "given twice in one section (first on line " + first + ")");
            }
            if (value.isEmpty() && key != ConfigKey.ALLOWED_IPS) {
                throw error(lineNumber, key.title, "empty value");
            }
            try {
                switch (section) {
                    case INTERFACE -> interfaceValue(key, value);
                    case PEER -> peerValue(peers.getLast(), key, value);
                    case GATEWAY -> gatewayValue(key, value);
                    default -> throw new IllegalStateException("unhandled section " + section);
                }
            } catch (IllegalArgumentException e) {
                throw new ConfigException(file, lineNumber, key.title, e.getMessage(), e);
            }
        }

        private void interfaceValue(ConfigKey key, CharSlice value) throws ConfigException {
            InterfaceDraft d = interfaceDraft;
            switch (key) {
                case PRIVATE_KEY -> {
                    d.privateKey = ConfigValues.key(value);
                    if (Keys.isZero(d.privateKey)) {
                        throw error(lineNumber, key.title, "the all-zero key is not a private key");
                    }
                }
                case LISTEN_PORT -> d.listenPort = (int) ConfigValues.number(value, DeviceConfig.MAX_LISTEN_PORT);
                case FW_MARK -> d.fwmark = ConfigValues.fwmark(value);
                case ADDRESS -> d.addresses.addAll(ConfigValues.list(value, InterfaceAddress::parse));
                case MTU -> {
                    d.mtu = (int) ConfigValues.number(value, Integer.MAX_VALUE);
                    if (d.mtu < GatewayConfig.MIN_MTU || d.mtu > GatewayConfig.MAX_MTU) {
                        throw new IllegalArgumentException(
                                "must be " + GatewayConfig.MIN_MTU + " to " + GatewayConfig.MAX_MTU + ", not " + d.mtu);
                    }
                }
                case DNS -> d.dns.addAll(ConfigValues.list(value, ConfigValues::dnsEntry));
                case TABLE -> d.table = ConfigValues.table(value);
                case PRE_UP -> d.preUp.add(value.toString());
                case POST_UP -> d.postUp.add(value.toString());
                case PRE_DOWN -> d.preDown.add(value.toString());
                case POST_DOWN -> d.postDown.add(value.toString());
                case SAVE_CONFIG -> d.saveConfig = ConfigValues.bool(value);
                default -> throw new IllegalStateException("not an [Interface] key: " + key);
            }
        }

        private void peerValue(PeerDraft d, ConfigKey key, CharSlice value) throws ConfigException {
            switch (key) {
                case PUBLIC_KEY -> {
                    byte[] bytes = ConfigValues.key(value);
                    if (Keys.isZero(bytes)) {
                        throw error(lineNumber, key.title, "the all-zero key is not a public key");
                    }
                    d.publicKey = PublicKey.of(bytes);
                    d.publicKeyLine = lineNumber;
                }
                case PRESHARED_KEY -> d.presharedKey = ConfigValues.key(value);
                case ALLOWED_IPS -> {
                    for (Cidr cidr : ConfigValues.list(value, Cidr::parse)) {
                        d.allowedIps.putIfAbsent(cidr, lineNumber);
                    }
                }
                case ENDPOINT -> d.endpoint = endpoint(key, HostPort.parse(value, MIN_SEND_PORT));
                case PERSISTENT_KEEPALIVE ->
                    d.keepaliveSeconds =
                            (int) ConfigValues.numberOrOff(value, PeerConfig.MAX_PERSISTENT_KEEPALIVE_SECONDS);
                default -> throw new IllegalStateException("not a [Peer] key: " + key);
            }
        }

        private void gatewayValue(ConfigKey key, CharSlice value) {
            GatewayDraft d = gateway;
            switch (key) {
                case METRICS_LISTEN -> d.metricsListen = HostPort.parse(value, MIN_LISTEN_PORT);
                case ADMIN_LISTEN -> d.adminListen = HostPort.parse(value, MIN_LISTEN_PORT);
                case STORAGE -> d.storage = storage(value);
                case ADDRESS_POOL -> {
                    for (Cidr cidr : ConfigValues.list(value, Cidr::parse)) {
                        addPool(d, cidr);
                    }
                }
                case WORKERS -> {
                    if (value.equalsIgnoreCase("auto")) {
                        d.workers = GatewaySettings.WORKERS_AUTO;
                    } else {
                        long n = ConfigValues.number(value, GatewaySettings.MAX_WORKERS);
                        if (n < 1) {
                            throw new IllegalArgumentException("must be auto or 1 to " + GatewaySettings.MAX_WORKERS);
                        }
                        d.workers = (int) n;
                    }
                }
                case GOSSIP -> d.gossip = HostPort.parse(value, MIN_LISTEN_PORT);
                case GOSSIP_SEEDS ->
                    d.gossipSeeds.addAll(ConfigValues.list(value, v -> HostPort.parse(v, MIN_SEND_PORT)));
                case ORG_PUBLIC_KEY -> d.orgPublicKey = OrgPublicKey.of(ConfigValues.key(value));
                case ADMIN_TOKEN_FILE -> d.adminTokenFile = path(value.toString());
                case MAX_PEERS -> {
                    long n = ConfigValues.number(value, DeviceSettings.MAX_MAX_PEERS);
                    if (n < 1) {
                        throw new IllegalArgumentException("must be 1 to " + DeviceSettings.MAX_MAX_PEERS);
                    }
                    d.maxPeers = (int) n;
                }
                case NODE_KEY_FILE -> d.nodeKeyFile = path(value.toString());
                case VOUCH_FILE -> d.vouchFile = path(value.toString());
                default -> throw new IllegalStateException("not a [Gateway] key: " + key);
            }
        }

        private void addPool(GatewayDraft d, Cidr cidr) {
            int max = cidr.isIpv4() ? MAX_IPV4_POOL_PREFIX : MAX_IPV6_POOL_PREFIX;
            if (cidr.prefixLength() > max) {
                throw new IllegalArgumentException(cidr + " is too small for a pool (at most /" + max + ")");
            }
            for (Map.Entry<Cidr, Integer> other : d.addressPool.entrySet()) {
                if (IpText.overlaps(cidr, other.getKey())) {
                    throw new IllegalArgumentException(
                            cidr + " overlaps " + other.getKey() + " (line " + other.getValue() + ")");
                }
            }
            d.addressPool.put(cidr, lineNumber);
        }

        private Storage storage(CharSlice value) {
            if (value.startsWithIgnoreCase(Storage.SQLITE_PREFIX)) {
                String rest = value.subSequence(Storage.SQLITE_PREFIX.length(), value.length())
                        .toString();
                if (rest.isBlank()) {
                    throw new IllegalArgumentException(
                            "sqlite: needs a file path, e.g. sqlite:/var/lib/ringguard/wg0.db");
                }
                return new Storage.Sqlite(path(rest));
            }
            if (value.startsWithIgnoreCase(Storage.POSTGRES_PREFIX)
                    && value.length() > Storage.POSTGRES_PREFIX.length()) {
                // The scheme is case-insensitive; the driver only matches it in lowercase.
                return new Storage.Postgres(
                        Storage.POSTGRES_PREFIX + value.subSequence(Storage.POSTGRES_PREFIX.length(), value.length()));
            }
            // Not quoted: a JDBC URL may hold a password.
            throw new IllegalArgumentException("must be sqlite:/path/to/file.db or jdbc:postgresql://host/database");
        }

        private Path path(String text) {
            try {
                return directory.resolve(text).normalize();
            } catch (InvalidPathException e) {
                throw new IllegalArgumentException("not a valid path: " + e.getReason(), e);
            }
        }

        private Endpoint endpoint(ConfigKey key, HostPort hostPort) throws ConfigException {
            if (hostPort.isLiteral()) {
                return Endpoint.of(IpText.parseLiteral(hostPort.host()), hostPort.port());
            }
            List<InetAddress> addresses = resolve(key, hostPort.host());
            return Endpoint.of(addresses.getFirst().getAddress(), hostPort.port());
        }

        private List<InetAddress> resolve(ConfigKey key, String host) throws ConfigException {
            try {
                List<InetAddress> addresses = resolver.resolve(host);
                if (addresses == null || addresses.isEmpty()) {
                    throw new UnknownHostException(host + " has no addresses");
                }
                return addresses;
            } catch (UnknownHostException e) {
                throw new ConfigException(file, lineNumber, key.title, "cannot resolve host " + host, e);
            }
        }

        /** The checks that span lines, then the result. */
        private GatewayConfig finish() throws ConfigException {
            if (interfaceDraft == null) {
                throw error(1, ConfigKey.Section.INTERFACE.header(), "missing (every config needs one)");
            }
            if (interfaceDraft.privateKey == null) {
                throw error(interfaceDraft.line, ConfigKey.PRIVATE_KEY.title, "missing in [Interface]");
            }
            DeviceConfig.Builder device = DeviceConfig.builder()
                    .privateKey(interfaceDraft.privateKey)
                    .listenPort(interfaceDraft.listenPort)
                    .fwmark(interfaceDraft.fwmark);
            try {
                PublicKey own = device.publicKeyOfPrivateKey().orElseThrow();
                checkPeerCount();
                addPeers(device, own);
                checkMtu();
                GatewaySettings settings = gateway == null ? GatewaySettings.defaults(iface) : gatewaySettings();
                return new GatewayConfig(
                        iface,
                        device.build(),
                        interfaceDraft.addresses,
                        interfaceDraft.mtu,
                        interfaceDraft.extras(),
                        settings);
            } finally {
                device.wipe();
            }
        }

        private void addPeers(DeviceConfig.Builder device, PublicKey own) throws ConfigException {
            Map<PublicKey, Integer> keyLines = new HashMap<>();
            Map<Cidr, Integer> owners = new HashMap<>();
            for (PeerDraft d : peers) {
                if (d.publicKey == null) {
                    throw error(d.line, ConfigKey.PUBLIC_KEY.title, "missing in [Peer]");
                }
                if (d.publicKey.equals(own)) {
                    throw error(
                            d.publicKeyLine,
                            ConfigKey.PUBLIC_KEY.title,
                            "is the interface's own public key (from PrivateKey on line "
                                    + interfaceDraft.seen.get(ConfigKey.PRIVATE_KEY) + ")");
                }
                Integer first = keyLines.putIfAbsent(d.publicKey, d.publicKeyLine);
                if (first != null) {
                    throw error(
                            d.publicKeyLine,
                            ConfigKey.PUBLIC_KEY.title,
                            "the same peer is already configured on line " + first);
                }
                for (Map.Entry<Cidr, Integer> ip : d.allowedIps.entrySet()) {
                    Integer owner = owners.putIfAbsent(ip.getKey(), ip.getValue());
                    if (owner != null) {
                        throw error(
                                ip.getValue(),
                                ConfigKey.ALLOWED_IPS.title,
                                ip.getKey() + " is already given to another peer on line " + owner);
                    }
                }
                PeerConfig.Builder peer = PeerConfig.builder(d.publicKey)
                        .presharedKey(d.presharedKey)
                        .endpoint(d.endpoint)
                        .persistentKeepaliveSeconds(d.keepaliveSeconds)
                        .allowedIps(d.allowedIps.keySet());
                device.putPeer(peer.build());
                peer.wipe();
            }
        }

        /** More peers than MaxPeers: named at the first [Peer] past the cap, so nothing starts half-configured. */
        private void checkPeerCount() throws ConfigException {
            int max = gateway == null ? DeviceSettings.DEFAULT_MAX_PEERS : gateway.maxPeers;
            if (peers.size() <= max) {
                return;
            }
            Integer line = gateway == null ? null : gateway.seen.get(ConfigKey.MAX_PEERS);
            throw error(
                    peers.get(max).line,
                    ConfigKey.MAX_PEERS.title,
                    "the file has " + peers.size() + " peers, more than MaxPeers = " + max
                            + (line == null ? " (the default)" : " (line " + line + ")"));
        }

        private void checkMtu() throws ConfigException {
            if (interfaceDraft.mtu >= GatewayConfig.MIN_IPV6_MTU) {
                return;
            }
            for (InterfaceAddress a : interfaceDraft.addresses) {
                if (!a.isIpv4()) {
                    throw error(
                            interfaceDraft.seen.get(ConfigKey.MTU),
                            ConfigKey.MTU.title,
                            "must be at least " + GatewayConfig.MIN_IPV6_MTU + " with an IPv6 Address (" + a + ")");
                }
            }
        }

        private GatewaySettings gatewaySettings() throws ConfigException {
            GatewayDraft d = gateway;
            if (!d.gossipSeeds.isEmpty() && d.gossip == null) {
                throw error(
                        d.seen.get(ConfigKey.GOSSIP_SEEDS),
                        ConfigKey.GOSSIP_SEEDS.title,
                        "needs Gossip, the address this gateway gossips on");
            }
            if (d.adminTokenFile == null && !isLoopback(d.adminListen)) {
                Integer line = d.seen.get(ConfigKey.ADMIN_LISTEN);
                throw error(
                        line,
                        ConfigKey.ADMIN_LISTEN.title,
                        d.adminListen + " is not loopback, so AdminTokenFile must name the bearer token file");
            }
            if (d.adminTokenFile != null
                    && !(Files.isRegularFile(d.adminTokenFile) && Files.isReadable(d.adminTokenFile))) {
                throw error(
                        d.seen.get(ConfigKey.ADMIN_TOKEN_FILE),
                        ConfigKey.ADMIN_TOKEN_FILE.title,
                        d.adminTokenFile + " is not a readable file");
            }
            return new GatewaySettings(
                    d.metricsListen,
                    d.adminListen,
                    d.storage,
                    List.copyOf(d.addressPool.keySet()),
                    d.workers,
                    Optional.ofNullable(d.gossip),
                    d.gossipSeeds,
                    Optional.ofNullable(d.orgPublicKey),
                    Optional.ofNullable(d.adminTokenFile),
                    d.maxPeers,
                    Optional.ofNullable(d.nodeKeyFile),
                    Optional.ofNullable(d.vouchFile));
        }

        /** Literal loopback, {@code localhost} (RFC 6761), or a name whose every address is loopback. */
        private boolean isLoopback(HostPort listen) throws ConfigException {
            if (listen.isLiteral()) {
                return IpText.isLoopback(IpText.parseLiteral(listen.host()));
            }
            if (listen.host().equals("localhost") || listen.host().equals("localhost.")) {
                return true;
            }
            for (InetAddress a : resolve(ConfigKey.ADMIN_LISTEN, listen.host())) {
                if (!IpText.isLoopback(a.getAddress())) {
                    return false;
                }
            }
            return true;
        }
    }

    /** [Interface] as read so far. */
    private static final class InterfaceDraft {
        final int line;
        final Map<ConfigKey, Integer> seen = new EnumMap<>(ConfigKey.class);
        byte[] privateKey;
        int listenPort;
        int fwmark;
        int mtu = GatewayConfig.DEFAULT_MTU;
        final List<InterfaceAddress> addresses = new ArrayList<>();
        final List<String> dns = new ArrayList<>();
        String table;
        final List<String> preUp = new ArrayList<>();
        final List<String> postUp = new ArrayList<>();
        final List<String> preDown = new ArrayList<>();
        final List<String> postDown = new ArrayList<>();
        boolean saveConfig;

        InterfaceDraft(int line) {
            this.line = line;
        }

        WgQuickExtras extras() {
            return new WgQuickExtras(dns, Optional.ofNullable(table), preUp, postUp, preDown, postDown, saveConfig);
        }
    }

    /** One [Peer] as read so far; allowed IPs keep the line that first named them. */
    private static final class PeerDraft {
        final int line;
        final Map<ConfigKey, Integer> seen = new EnumMap<>(ConfigKey.class);
        PublicKey publicKey;
        int publicKeyLine;
        byte[] presharedKey;
        Endpoint endpoint;
        int keepaliveSeconds;
        final Map<Cidr, Integer> allowedIps = new LinkedHashMap<>();

        PeerDraft(int line) {
            this.line = line;
        }
    }

    /** [Gateway] as read so far, starting from the defaults. */
    private static final class GatewayDraft {
        final int line;
        final Map<ConfigKey, Integer> seen = new EnumMap<>(ConfigKey.class);
        HostPort metricsListen = GatewaySettings.DEFAULT_METRICS_LISTEN;
        HostPort adminListen = GatewaySettings.DEFAULT_ADMIN_LISTEN;
        Storage storage;
        final Map<Cidr, Integer> addressPool = new LinkedHashMap<>();
        int workers = GatewaySettings.WORKERS_AUTO;
        HostPort gossip;
        final List<HostPort> gossipSeeds = new ArrayList<>();
        OrgPublicKey orgPublicKey;
        Path adminTokenFile;
        int maxPeers = DeviceSettings.DEFAULT_MAX_PEERS;
        Path nodeKeyFile;
        Path vouchFile;

        GatewayDraft(int line, String iface) {
            this.line = line;
            this.storage = GatewaySettings.defaultStorage(iface);
        }
    }
}
