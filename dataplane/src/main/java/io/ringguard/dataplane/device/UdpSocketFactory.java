package io.ringguard.dataplane.device;

import io.ringguard.dataplane.sys.NativeIoException;
import io.ringguard.dataplane.sys.UdpSocket;

/** Opens the listen sockets; the real one binds {@code LinuxUdpSocket}s, tests wire fakes. */
@FunctionalInterface
public interface UdpSocketFactory {
    /**
     * Opens a socket of {@code family} bound to {@code port} (0: any) with room for {@code maxBatch}
     * datagrams per call, and applies {@code fwmark} (0: none).
     */
    UdpSocket open(int family, int port, int fwmark, int maxBatch) throws NativeIoException;
}
