package io.ringguard.gateway.iface;

import io.ringguard.dataplane.device.UdpSocketFactory;
import io.ringguard.dataplane.sys.LinuxUdpSocket;
import io.ringguard.dataplane.sys.NativeIoException;

/** The real listen sockets: large buffers (a burst must not overflow them), fwmark when set. */
public final class UdpSockets {
    private static final int BUFFER_BYTES = 7 << 20;

    private UdpSockets() {}

    /**
     * With {@code gso}, sends use UDP segmentation offload ({@code UDP_SEGMENT}) and receives take coalesced
     * runs ({@code UDP_GRO}) where the kernel supports them; each falls back on its own.
     */
    public static UdpSocketFactory linux(boolean gso) {
        return (family, port, fwmark, batch) -> {
            LinuxUdpSocket socket = LinuxUdpSocket.open(family, null, port, batch);
            try {
                socket.receiveBufferBytes(BUFFER_BYTES);
                socket.sendBufferBytes(BUFFER_BYTES);
                if (fwmark != 0) {
                    socket.fwmark(fwmark);
                }
                socket.udpGso(gso);
                socket.udpGro(gso);
            } catch (NativeIoException e) {
                socket.close();
                throw e;
            }
            return socket;
        };
    }
}
