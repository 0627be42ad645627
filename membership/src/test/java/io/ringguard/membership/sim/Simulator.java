package io.ringguard.membership.sim;

import io.ringguard.membership.identity.Authenticator;
import io.ringguard.membership.identity.Ed25519Authenticator;
import io.ringguard.membership.identity.Endpoint;
import io.ringguard.membership.identity.MeshPrefix;
import io.ringguard.membership.identity.NodeKey;
import io.ringguard.membership.org.OrgMessage;
import io.ringguard.membership.swim.LocalNode;
import io.ringguard.membership.swim.MemberState;
import io.ringguard.membership.swim.MemberView;
import io.ringguard.membership.swim.MembershipConfig;
import io.ringguard.membership.swim.MembershipEngine;
import io.ringguard.membership.swim.MembershipListener;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * A discrete-event network for the membership engine: simulated time, per-link delay plus jitter,
 * random loss, partitions, crashes, and NAT boxes (endpoint-independent mapping or symmetric, both
 * with address-and-port-dependent filtering like Linux conntrack). Everything is deterministic for
 * a seed. Single-threaded.
 *
 * <p>Addresses: public nodes get 198.18.x.y:51821, NAT boxes 198.19.0.x, nodes behind a NAT
 * 198.19.128.x:51821 (all inside the benchmarking range 198.18.0.0/15; nothing leaves the JVM).
 */
public final class Simulator {
    public static final int GOSSIP_PORT = 51821;

    /** A simulated NAT box. */
    public static final class Nat {
        final int publicIp;
        boolean symmetric;
        int nextPort = 40000;
        final Map<Long, Integer> portByFlow = new HashMap<>();
        final Map<Integer, Endpoint> insideByPort = new HashMap<>();
        final Map<Long, Boolean> conntrack = new HashMap<>();

        Nat(int publicIp, boolean symmetric) {
            this.publicIp = publicIp;
            this.symmetric = symmetric;
        }

        /** Switches the mapping behaviour; existing mappings are flushed, as a reboot would. */
        public void reconfigure(boolean symmetricMapping) {
            symmetric = symmetricMapping;
            portByFlow.clear();
            insideByPort.clear();
            conntrack.clear();
        }

        Endpoint outbound(Endpoint inside, Endpoint to) {
            long flow = symmetric ? key(inside) * 31 + key(to) : key(inside);
            Integer port = portByFlow.get(flow);
            if (port == null) {
                port = nextPort++;
                portByFlow.put(flow, port);
                insideByPort.put(port, inside);
            }
            conntrack.put(port * 0x1_0000_0000_0000L ^ key(to), Boolean.TRUE);
            return Endpoint.ipv4(publicIp, port);
        }

        Endpoint inbound(Endpoint to, Endpoint from) {
            Endpoint inside = insideByPort.get(to.port());
            if (inside == null || !conntrack.containsKey(to.port() * 0x1_0000_0000_0000L ^ key(from))) {
                return null;
            }
            return inside;
        }

        private static long key(Endpoint e) {
            return (e.lo() << 16) ^ e.port();
        }
    }

    /** One simulated gateway. */
    public final class Node implements MembershipListener {
        public final int id;
        public final Endpoint endpoint;
        public final Nat nat;
        public final MembershipEngine engine;
        public final Authenticator auth;
        public final OrgMessage vouch;
        public boolean crashed;
        public int group;
        long scheduledTickMs = Long.MAX_VALUE;
        public long framesOut;
        public long framesIn;
        public long bytesOut;
        public final List<byte[]> relayedData = new ArrayList<>();

        Node(int id, Endpoint endpoint, Nat nat, Authenticator auth, MembershipConfig config, OrgMessage vouch) {
            this.id = id;
            this.endpoint = endpoint;
            this.nat = nat;
            this.auth = auth;
            this.vouch = vouch;
            LocalNode local = new LocalNode(
                    new NodeKey(id, 0x5747L, 0, 0),
                    endpoint,
                    List.of(MeshPrefix.ipv4(0x64400000 + id, 32)),
                    vouch,
                    1,
                    nextInitialIncarnation);
            this.engine = new MembershipEngine(config, auth, orgAuth.publicKey(), local, this::send, this, seed + id);
        }

        public NodeKey key() {
            return engine.nodeKey();
        }

        private void send(Endpoint to, DirectBuffer buffer, int offset, int length) {
            framesOut++;
            bytesOut += length;
            totalFrames++;
            if (captureFrom == this) {
                byte[] frame = new byte[length];
                buffer.getBytes(offset, frame);
                captured.add(frame);
                capturedTo.add(to);
            }
            if (crashed) {
                return;
            }
            Endpoint from = nat == null ? endpoint : nat.outbound(endpoint, to);
            Node target = resolveGroupTarget(to);
            if (target != null && target.group != group) {
                return;
            }
            if (lossRate > 0 && random.nextDouble() < lossRate) {
                return;
            }
            byte[] copy = new byte[length];
            buffer.getBytes(offset, copy);
            long delay = linkDelayMs(from, to) + random.nextLong(jitterMs + 1);
            push(new Event(nowMs + delay, Event.DELIVER, null, from, to, copy));
        }

        @Override
        public void onMemberUp(MemberView member) {}

        @Override
        public void onMemberChanged(MemberView member) {
            if (member.state() == MemberState.SUSPECT) {
                suspicions++;
            }
        }

        @Override
        public void onMemberDown(MemberView member) {
            if (member.state() == MemberState.DEAD) {
                deadVerdicts.add(new Verdict(id, member.nodeKey(), nowMs));
            }
        }

        @Override
        public void onRelayedData(NodeKey origin, DirectBuffer buffer, int offset, int lengthBytes) {
            byte[] copy = new byte[lengthBytes];
            buffer.getBytes(offset, copy);
            relayedData.add(copy);
        }
    }

    /** A dead verdict: {@code observer} declared {@code subject} dead at {@code atMs}. */
    public record Verdict(int observer, NodeKey subject, long atMs) {}

    static final class Event implements Comparable<Event> {
        static final int TICK = 1;
        static final int DELIVER = 2;
        static long counter;
        final long timeMs;
        final long order = counter++;
        final int kind;
        final Node node;
        final Endpoint from;
        final Endpoint to;
        final byte[] data;

        Event(long timeMs, int kind, Node node, Endpoint from, Endpoint to, byte[] data) {
            this.timeMs = timeMs;
            this.kind = kind;
            this.node = node;
            this.from = from;
            this.to = to;
            this.data = data;
        }

        @Override
        public int compareTo(Event o) {
            int c = Long.compare(timeMs, o.timeMs);
            return c != 0 ? c : Long.compare(order, o.order);
        }
    }

    private final PriorityQueue<Event> events = new PriorityQueue<>();
    private final Map<Endpoint, Node> publicNodes = new HashMap<>();
    private final Map<Integer, Nat> nats = new HashMap<>();
    public final List<Node> nodes = new ArrayList<>();
    private final Map<NodeKey, Node> byKey = new HashMap<>();
    public final List<Verdict> deadVerdicts = new ArrayList<>();
    private final SplittableRandom random;
    private final long seed;
    private final MembershipConfig config;
    private final boolean realCrypto;
    private final Authenticator orgAuth;
    public double lossRate;
    public long baseDelayMs = 2;
    public long spreadDelayMs = 8;
    public long jitterMs = 2;
    public long nowMs;
    public long totalFrames;
    /** Times any node moved a member to suspect. */
    public long suspicions;
    /** Incarnation the next added node starts at. */
    public long nextInitialIncarnation = 1;
    /** Frames sent by this node are copied into {@link #captured} (for replay attacks). */
    public Node captureFrom;

    public final List<byte[]> captured = new ArrayList<>();
    public final List<Endpoint> capturedTo = new ArrayList<>();

    /**
     * @param realCrypto Ed25519 for node and org keys when true; {@link CheapAuthenticator} when false
     */
    public Simulator(long seed, MembershipConfig config, boolean realCrypto) {
        this.seed = seed;
        this.random = new SplittableRandom(seed);
        this.config = config;
        this.realCrypto = realCrypto;
        this.orgAuth = realCrypto ? Ed25519Authenticator.generate() : new CheapAuthenticator(seed ^ 0x0126L);
    }

    public Authenticator orgAuth() {
        return orgAuth;
    }

    public Authenticator newNodeAuth(int id) {
        return realCrypto ? Ed25519Authenticator.generate() : new CheapAuthenticator(seed * 1_000_003L + id);
    }

    /** Adds a node with a public endpoint. */
    public Node addPublicNode() {
        int id = nodes.size();
        Endpoint ep = Endpoint.ipv4(0xC6120000 + 1 + id, GOSSIP_PORT);
        return add(id, ep, null);
    }

    /** Adds a node behind a NAT box of its own (endpoint-independent or symmetric mapping). */
    public Node addNatNode(boolean symmetric) {
        int id = nodes.size();
        Nat nat = new Nat(0xC6130000 + 1 + id, symmetric);
        nats.put(nat.publicIp, nat);
        return add(id, Endpoint.ipv4(0xC6138000 + 1 + id, GOSSIP_PORT), nat);
    }

    private Node add(int id, Endpoint ep, Nat nat) {
        Authenticator auth = newNodeAuth(id);
        OrgMessage vouch = OrgMessage.vouch(orgAuth, auth.publicKey(), 1_000 + id);
        Node n = new Node(id, ep, nat, auth, config, vouch);
        nodes.add(n);
        byKey.put(n.key(), n);
        if (nat == null) {
            publicNodes.put(ep, n);
        }
        scheduleTick(n, nowMs);
        return n;
    }

    public void join(Node node, Node seed) {
        node.engine.join(List.of(seed.endpoint), nowMs);
        rescheduleAfter(node);
    }

    public void crash(Node node) {
        node.crashed = true;
    }

    /** Puts nodes in a partition group; datagrams between different groups are lost. */
    public void partition(Node node, int group) {
        node.group = group;
    }

    /** Injects a datagram as if {@code from} sent it to {@code to}, after the usual delay. */
    public void inject(Endpoint from, Endpoint to, byte[] data) {
        push(new Event(nowMs + baseDelayMs, Event.DELIVER, null, from, to, data.clone()));
    }

    public Node node(NodeKey key) {
        return byKey.get(key);
    }

    /** Runs events until {@code untilMs}; returns the number of events processed. */
    public long runUntil(long untilMs) {
        long processed = 0;
        while (!events.isEmpty() && events.peek().timeMs <= untilMs) {
            Event e = events.poll();
            nowMs = e.timeMs;
            processed++;
            if (e.kind == Event.TICK) {
                Node n = e.node;
                if (n.scheduledTickMs != e.timeMs || n.crashed) {
                    continue;
                }
                n.scheduledTickMs = Long.MAX_VALUE;
                scheduleTick(n, n.engine.tick(nowMs));
            } else {
                deliver(e);
            }
        }
        nowMs = untilMs;
        return processed;
    }

    private void deliver(Event e) {
        Node target;
        Endpoint to = e.to;
        Nat nat = nats.get((int) e.to.lo());
        if (nat != null) {
            Endpoint inside = nat.inbound(e.to, e.from);
            if (inside == null) {
                return;
            }
            target = nodes.get((int) (inside.lo() - 0xC6138000L - 1));
        } else {
            target = publicNodes.get(to);
        }
        if (target == null || target.crashed) {
            return;
        }
        target.framesIn++;
        target.engine.onDatagram(e.from, new UnsafeBuffer(e.data), 0, e.data.length, nowMs);
        rescheduleAfter(target);
    }

    private void rescheduleAfter(Node n) {
        scheduleTick(n, n.engine.tick(nowMs));
    }

    private void scheduleTick(Node n, long atMs) {
        if (atMs < n.scheduledTickMs) {
            n.scheduledTickMs = atMs;
            push(new Event(atMs, Event.TICK, n, null, null, null));
        }
    }

    private void push(Event e) {
        events.add(e);
    }

    private Node resolveGroupTarget(Endpoint to) {
        Node n = publicNodes.get(to);
        if (n != null) {
            return n;
        }
        Nat nat = nats.get((int) to.lo());
        if (nat != null) {
            Endpoint inside = nat.insideByPort.get(to.port());
            return inside == null ? null : nodes.get((int) (inside.lo() - 0xC6138000L - 1));
        }
        return null;
    }

    private long linkDelayMs(Endpoint a, Endpoint b) {
        long h = (a.lo() * 0x9E3779B97F4A7C15L) ^ (b.lo() * 0xBF58476D1CE4E5B9L);
        return baseDelayMs + Math.floorMod(h >>> 7, spreadDelayMs + 1);
    }

    /** Number of live nodes that see every other live node as alive. */
    public int convergedCount() {
        int live = 0;
        for (Node n : nodes) {
            if (!n.crashed) {
                live++;
            }
        }
        int converged = 0;
        if (live == nodes.size()) {
            for (Node n : nodes) {
                if (n.engine.memberCount(MemberState.ALIVE) == live - 1) {
                    converged++;
                }
            }
            return converged;
        }
        for (Node n : nodes) {
            if (n.crashed) {
                continue;
            }
            int alive = 0;
            for (MemberView v : n.engine.members()) {
                if (v.state() == MemberState.ALIVE && !node(v.nodeKey()).crashed) {
                    alive++;
                }
            }
            if (alive == live - 1) {
                converged++;
            }
        }
        return converged;
    }
}
