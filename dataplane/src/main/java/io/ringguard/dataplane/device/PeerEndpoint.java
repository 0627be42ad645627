package io.ringguard.dataplane.device;

import io.ringguard.dataplane.config.Endpoint;
import io.ringguard.dataplane.sys.DatagramBatch;
import io.ringguard.dataplane.sys.SockAddr;
import java.net.InetSocketAddress;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Where a peer is: its remote socket address plus the local address it last reached us on (so
 * replies leave from that address), in {@link DatagramBatch}'s 64-byte endpoint record layout.
 *
 * <p>Immutable. A peer's endpoint changes by publishing a new instance (roaming after an
 * authenticated packet, a handshake from a new address, or configuration), so a new object exists
 * per move, never per packet.
 */
public final class PeerEndpoint {
    private final UnsafeBuffer record = new UnsafeBuffer(new byte[DatagramBatch.ENDPOINT_RECORD_BYTES]);
    private final int family;

    private PeerEndpoint(DirectBuffer source, int offset, boolean keepLocal) {
        record.putBytes(0, source, offset, DatagramBatch.ENDPOINT_RECORD_BYTES);
        if (!keepLocal) {
            record.setMemory(
                    DatagramBatch.LOCAL_ADDRESS_OFFSET,
                    DatagramBatch.ENDPOINT_RECORD_BYTES - DatagramBatch.LOCAL_ADDRESS_OFFSET,
                    (byte) 0);
        }
        family = SockAddr.family(record, DatagramBatch.REMOTE_OFFSET);
    }

    /** The endpoint a datagram came from, taken from its 64-byte record. */
    public static PeerEndpoint fromRecord(DirectBuffer source, int offset) {
        return new PeerEndpoint(source, offset, true);
    }

    /** A configured endpoint (no local address known yet). */
    public static PeerEndpoint of(Endpoint endpoint) {
        UnsafeBuffer tmp = new UnsafeBuffer(new byte[DatagramBatch.ENDPOINT_RECORD_BYTES]);
        SockAddr.write(tmp, DatagramBatch.REMOTE_OFFSET, endpoint.toSocketAddress());
        return new PeerEndpoint(tmp, 0, false);
    }

    /** {@code io.ringguard.dataplane.sys.Posix#AF_INET} or {@code AF_INET6} of the remote address. */
    public int family() {
        return family;
    }

    /** Copies the record into a batch entry's endpoint slot. */
    public void copyTo(MutableDirectBuffer destination, int offset) {
        destination.putBytes(offset, record, 0, DatagramBatch.ENDPOINT_RECORD_BYTES);
    }

    /** True when {@code source[offset..]} is the same remote address and local address as this. */
    public boolean matches(DirectBuffer source, int offset) {
        for (int i = 0; i < DatagramBatch.ENDPOINT_RECORD_BYTES; i += 8) {
            if (record.getLong(i) != source.getLong(offset + i)) {
                return false;
            }
        }
        return true;
    }

    /** A copy without the local address: used when sending from the cached address failed. */
    public PeerEndpoint withoutLocal() {
        return new PeerEndpoint(record, 0, false);
    }

    public InetSocketAddress toSocketAddress() {
        return SockAddr.toInetSocketAddress(record, DatagramBatch.REMOTE_OFFSET);
    }

    /** {@code ip:port} as wg prints it. */
    @Override
    public String toString() {
        return SockAddr.format(record, DatagramBatch.REMOTE_OFFSET);
    }
}
