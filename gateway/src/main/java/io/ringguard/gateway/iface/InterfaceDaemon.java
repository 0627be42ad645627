package io.ringguard.gateway.iface;

import io.ringguard.dataplane.device.Device;
import io.ringguard.dataplane.device.DeviceSettings;
import io.ringguard.dataplane.sys.LinuxTun;
import io.ringguard.dataplane.sys.NativeIoException;
import io.ringguard.gateway.daemon.SignalHandling;
import io.ringguard.gateway.uapi.UapiServer;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code ringguard -f IFACE}: wireguard-go's interface mode. Creates the TUN, starts the dataplane,
 * serves the UAPI socket, and runs until SIGTERM/SIGINT or until the interface is deleted; then
 * removes the socket and the interface.
 */
public final class InterfaceDaemon {
    private static final Logger LOG = LoggerFactory.getLogger(InterfaceDaemon.class);

    public static final int DEFAULT_MTU = 1420;

    private InterfaceDaemon() {}

    /** Runs in the foreground; returns the process exit code (CONTRACTS.md section 1). */
    public static int run(String iface, PrintWriter err) {
        try {
            LinuxTun.checkInterfaceName(iface);
        } catch (IllegalArgumentException e) {
            err.println("ringguard: " + e.getMessage());
            return 2;
        }
        if (!Files.exists(Path.of("/dev/net/tun"))) {
            err.println("ringguard: /dev/net/tun is missing: this kernel or container has no TUN support");
            return 3;
        }
        DeviceSettings settings = DeviceSettings.defaults(DEFAULT_MTU);
        try {
            settings = DataplaneEnvironment.apply(settings, System::getenv);
        } catch (IllegalArgumentException e) {
            err.println("ringguard: " + e.getMessage());
            return 2;
        }
        CompletableFuture<String> stop = new CompletableFuture<>();
        SignalHandling.install(() -> stop.complete("signal"), () -> {});
        LinuxTun tun;
        try {
            tun = LinuxTun.open(iface, DEFAULT_MTU, settings.tunOffloads());
        } catch (NativeIoException e) {
            err.println("ringguard: cannot create interface " + iface + ": " + e.getMessage());
            return e.errno() == 1 || e.errno() == 13 ? 3 : 1;
        }
        Device device = new Device(iface, settings, tun, UdpSockets.linux(settings.udpGso()));
        UapiServer server = null;
        try {
            device.start();
            server = UapiServer.start(iface, new DeviceUapiService(device));
            device.terminated().thenAccept(stop::complete);
            LOG.info(
                    "interface {} up, UAPI at {}, listening on UDP {}",
                    iface,
                    UapiServer.socketPath(iface),
                    device.listenPort());
            String reason = stop.get();
            LOG.info("shutting down ({})", reason);
            return 0;
        } catch (NativeIoException e) {
            err.println("ringguard: " + e.getMessage());
            return 1;
        } catch (IOException e) {
            err.println("ringguard: UAPI socket: " + e.getMessage());
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        } catch (ExecutionException e) {
            err.println("ringguard: " + e.getCause());
            return 1;
        } finally {
            if (server != null) {
                server.close();
            }
            device.close();
        }
    }

    /** True once the UAPI socket of {@code iface} exists (the daemon's readiness signal). */
    public static boolean ready(String iface) {
        Path socket = UapiServer.socketPath(iface);
        if (!Files.exists(socket)) {
            return false;
        }
        // A stale file from an earlier run exists too: only a socket that accepts means ready.
        try (java.nio.channels.SocketChannel channel =
                java.nio.channels.SocketChannel.open(java.net.UnixDomainSocketAddress.of(socket))) {
            return channel.isConnected();
        } catch (IOException e) {
            return false;
        }
    }
}
