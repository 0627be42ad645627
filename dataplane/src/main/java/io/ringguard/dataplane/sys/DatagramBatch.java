package io.ringguard.dataplane.sys;

import java.nio.ByteOrder;
import org.agrona.BufferUtil;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * A caller-owned, preallocated batch of datagrams for {@link UdpSocket#receive} and {@link UdpSocket#send}:
 * for each entry a payload range in one payload buffer (a {@code PacketSlab}'s), a length, and an endpoint
 * record in an off-heap {@link #endpoints()} buffer that the kernel reads and writes in place.
 *
 * <pre>
 *  endpoint record i at endpointOffset(i) = i * 64
 *  0                          28   32                        48         52       56        64
 *  +--------------------------+----+-------------------------+----------+--------+---------+
 *  | remote sockaddr_in/in6   |pad | local address (16, BE)  | ifindex  | local  |  pad    |
 *  | (SockAddr layout)        |    | IPv4 in the first 4     | (native) | family |         |
 *  +--------------------------+----+-------------------------+----------+--------+---------+
 * </pre>
 *
 * <p>On receive the remote part is the datagram's source and the local part the address it was sent to
 * ({@code IP_PKTINFO}/{@code IPV6_PKTINFO}; family 0 when the kernel gave none). On send the remote part is
 * the destination and a non-zero local family asks the kernel to send from that local address, which is how
 * a reply leaves from the address the peer contacted.
 *
 * <p>Threading: a batch belongs to one thread at a time (the receiver's or the sender's), like a slot.
 */
public final class DatagramBatch {
    /** Size of one endpoint record; a cache line, so records of neighbouring entries never share one. */
    public static final int ENDPOINT_RECORD_BYTES = 64;

    public static final int REMOTE_OFFSET = 0;
    public static final int LOCAL_ADDRESS_OFFSET = 32;
    public static final int LOCAL_IFINDEX_OFFSET = 48;
    public static final int LOCAL_FAMILY_OFFSET = 52;

    /** Length reported for a datagram longer than its slot: no valid WireGuard message, so it fails every check. */
    public static final int TRUNCATED = -1;

    /**
     * Length reported for a received message that cannot be read as datagrams (a coalesced run whose segment
     * size the kernel's control message did not give); the receiver counts it as malformed.
     */
    public static final int MALFORMED = -2;

    private static final ByteOrder HOST = ByteOrder.nativeOrder();

    private final int capacity;
    private final UnsafeBuffer endpoints;
    private final int[] payloadOffsets;
    private final int[] payloadCapacities;
    private final int[] lengths;
    private MutableDirectBuffer payloadBuffer;

    /**
     * Allocates a batch of {@code capacity} entries over {@code payloadBuffer}; setup only.
     *
     * @param payloadBuffer where payloads live; must be off-heap for a native socket.
     */
    public DatagramBatch(final int capacity, final MutableDirectBuffer payloadBuffer) {
        if (capacity < 1 || capacity > 1024) {
            throw new IllegalArgumentException("batch capacity must be 1..1024 (UIO_MAXIOV), got " + capacity);
        }
        this.capacity = capacity;
        this.endpoints = new UnsafeBuffer(
                BufferUtil.allocateDirectAligned(capacity * ENDPOINT_RECORD_BYTES, ENDPOINT_RECORD_BYTES));
        this.payloadOffsets = new int[capacity];
        this.payloadCapacities = new int[capacity];
        this.lengths = new int[capacity];
        this.payloadBuffer = payloadBuffer;
    }

    public int capacity() {
        return capacity;
    }

    /** The buffer payload offsets refer to. */
    public MutableDirectBuffer payloadBuffer() {
        return payloadBuffer;
    }

    /** Points the batch at another payload buffer (e.g. a second slab); owner thread. */
    public void payloadBuffer(final MutableDirectBuffer buffer) {
        this.payloadBuffer = buffer;
    }

    /** The off-heap endpoint records, {@link #ENDPOINT_RECORD_BYTES} per entry. */
    public UnsafeBuffer endpoints() {
        return endpoints;
    }

    /** Offset of entry {@code i}'s remote {@code sockaddr} in {@link #endpoints()}; read it with {@link SockAddr}. */
    public static int remoteOffset(final int i) {
        return i * ENDPOINT_RECORD_BYTES + REMOTE_OFFSET;
    }

    /** Sets where entry {@code i}'s payload goes (receive) or is (send), and the room there. */
    public void payload(final int i, final int offset, final int capacityBytes) {
        payloadOffsets[i] = offset;
        payloadCapacities[i] = capacityBytes;
    }

    public int payloadOffset(final int i) {
        return payloadOffsets[i];
    }

    public int payloadCapacity(final int i) {
        return payloadCapacities[i];
    }

    /**
     * Bytes received into entry {@code i} ({@link #TRUNCATED} if it did not fit, {@link #MALFORMED} if it could
     * not be read), or bytes to send.
     */
    public int length(final int i) {
        return lengths[i];
    }

    public void length(final int i, final int lengthBytes) {
        lengths[i] = lengthBytes;
    }

    /** Local address family of entry {@code i}: {@link Posix#AF_INET}, {@link Posix#AF_INET6} or 0 (none). */
    public int localFamily(final int i) {
        return endpoints.getInt(i * ENDPOINT_RECORD_BYTES + LOCAL_FAMILY_OFFSET, HOST);
    }

    /** Interface index the datagram arrived on (receive); 0 when unknown. */
    public int localIfindex(final int i) {
        return endpoints.getInt(i * ENDPOINT_RECORD_BYTES + LOCAL_IFINDEX_OFFSET, HOST);
    }

    /** Local IPv4 address of entry {@code i}, big-endian, valid when {@link #localFamily} is AF_INET. */
    public int localIpv4Address(final int i) {
        return endpoints.getInt(i * ENDPOINT_RECORD_BYTES + LOCAL_ADDRESS_OFFSET, ByteOrder.BIG_ENDIAN);
    }

    /** First 8 bytes of the local IPv6 address, big-endian. */
    public long localIpv6AddressHigh(final int i) {
        return endpoints.getLong(i * ENDPOINT_RECORD_BYTES + LOCAL_ADDRESS_OFFSET, ByteOrder.BIG_ENDIAN);
    }

    /** Last 8 bytes of the local IPv6 address, big-endian. */
    public long localIpv6AddressLow(final int i) {
        return endpoints.getLong(i * ENDPOINT_RECORD_BYTES + LOCAL_ADDRESS_OFFSET + 8, ByteOrder.BIG_ENDIAN);
    }

    /** Sets entry {@code i}'s local IPv4 address (send from it); {@code ifindex} 0 lets routing choose. */
    public void localIpv4(final int i, final int address, final int ifindex) {
        final int base = i * ENDPOINT_RECORD_BYTES;
        endpoints.putInt(base + LOCAL_ADDRESS_OFFSET, address, ByteOrder.BIG_ENDIAN);
        endpoints.putInt(base + LOCAL_ADDRESS_OFFSET + 4, 0);
        endpoints.putLong(base + LOCAL_ADDRESS_OFFSET + 8, 0);
        endpoints.putInt(base + LOCAL_IFINDEX_OFFSET, ifindex, HOST);
        endpoints.putInt(base + LOCAL_FAMILY_OFFSET, Posix.AF_INET, HOST);
    }

    /** Sets entry {@code i}'s local IPv6 address (send from it); {@code ifindex} is needed for link-local. */
    public void localIpv6(final int i, final long addressHigh, final long addressLow, final int ifindex) {
        final int base = i * ENDPOINT_RECORD_BYTES;
        endpoints.putLong(base + LOCAL_ADDRESS_OFFSET, addressHigh, ByteOrder.BIG_ENDIAN);
        endpoints.putLong(base + LOCAL_ADDRESS_OFFSET + 8, addressLow, ByteOrder.BIG_ENDIAN);
        endpoints.putInt(base + LOCAL_IFINDEX_OFFSET, ifindex, HOST);
        endpoints.putInt(base + LOCAL_FAMILY_OFFSET, Posix.AF_INET6, HOST);
    }

    /** Forgets entry {@code i}'s local address, so the kernel picks the source by routing. */
    public void clearLocal(final int i) {
        final int base = i * ENDPOINT_RECORD_BYTES;
        endpoints.setMemory(base + LOCAL_ADDRESS_OFFSET, ENDPOINT_RECORD_BYTES - LOCAL_ADDRESS_OFFSET, (byte) 0);
    }
}
