package io.ringguard.gateway.up;

import io.ringguard.dataplane.device.Device;
import io.ringguard.dataplane.device.DeviceSettings;
import io.ringguard.dataplane.sys.LinuxTun;
import io.ringguard.dataplane.sys.NativeIoException;
import io.ringguard.gateway.config.ConfigException;
import io.ringguard.gateway.config.GatewayConfig;
import io.ringguard.gateway.config.GatewayConfigParser;
import io.ringguard.gateway.config.HostPort;
import io.ringguard.gateway.daemon.SignalHandling;
import io.ringguard.gateway.iface.DeviceUapiService;
import io.ringguard.gateway.iface.UdpSockets;
import io.ringguard.gateway.metrics.MetricsServer;
import io.ringguard.gateway.uapi.UapiServer;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * {@code ringguard up CONFIG}: the gateway appliance. Reads and validates the whole configuration
 * before creating anything (exit 2 naming file, line and key), creates and configures the
 * interface, applies the peers, serves the UAPI socket (so {@code wg show} works), and runs in the
 * foreground: SIGTERM/SIGINT shut down cleanly (socket and interface removed, exit 0), SIGHUP
 * reloads the file without dropping sessions or counters of unchanged peers.
 */
public final class UpCommand {
    private final Path configFile;
    private final PrintWriter err;
    private final GatewayConfigParser parser = GatewayConfigParser.withSystemResolver();

    public UpCommand(Path configFile, PrintWriter err) {
        this.configFile = configFile;
        this.err = err;
    }

    /** Runs until shutdown; returns the exit code (CONTRACTS.md section 1). */
    public int run() {
        GatewayConfig config;
        try {
            config = parser.parse(configFile);
        } catch (ConfigException e) {
            err.println("ringguard: " + e.getMessage());
            return 2;
        }
        if (!Files.exists(Path.of("/dev/net/tun"))) {
            err.println("ringguard: /dev/net/tun is missing: this kernel or container has no TUN support");
            return 3;
        }
        String iface = config.interfaceName();
        LinuxTun tun;
        try {
            tun = LinuxTun.open(iface, config.mtu());
        } catch (NativeIoException e) {
            err.println("ringguard: cannot create interface " + iface + ": " + e.getMessage());
            return e.errno() == 1 || e.errno() == 13 ? 3 : 1;
        }
        int workers = config.gateway().workerCount(Runtime.getRuntime().availableProcessors());
        DeviceSettings defaults = DeviceSettings.defaults(config.mtu());
        DeviceSettings settings = new DeviceSettings(
                config.mtu(),
                workers,
                defaults.ringSize(),
                defaults.slots(),
                defaults.batchSize(),
                defaults.controlRingBytes(),
                defaults.maxIndices(),
                defaults.waitStrategy());
        Device device = new Device(iface, settings, tun, UdpSockets.linux());
        BlockingQueue<String> events = new LinkedBlockingQueue<>();
        UapiServer uapi = null;
        MetricsServer metrics = null;
        try {
            device.start();
            int errno = device.update(current -> new Device.ConfigUpdate(config.device(), Set.of(), 0));
            if (errno != 0) {
                err.println("ringguard: " + configFile + ": cannot apply the configuration (errno " + errno
                        + (errno == 98 ? ": ListenPort " + config.device().listenPort() + " is in use" : "") + ")");
                return 1;
            }
            LinkSetup.configure(iface, config.addresses(), config.mtu());
            LinkSetup.routes(iface, java.util.Set.of(), LinkSetup.allowedIps(config.device()));
            uapi = UapiServer.start(iface, new DeviceUapiService(device));
            HostPort listen = config.gateway().metricsListen();
            metrics = MetricsServer.start(
                    new InetSocketAddress(InetAddress.getByName(listen.host()), listen.port()),
                    () -> List.of(device),
                    device::healthy);
            SignalHandling.install(() -> events.offer("shutdown"), () -> events.offer("reload"));
            device.terminated().thenAccept(reason -> events.offer("gone:" + reason));
            err.println(
                    "ringguard: " + iface + " up: " + config.device().peers().size() + " peers, UDP "
                            + device.listenPort() + ", UAPI " + UapiServer.socketPath(iface));
            GatewayConfig current = config;
            while (true) {
                String event = events.take();
                if (!event.equals("reload")) {
                    err.println("ringguard: shutting down (" + event + ")");
                    return 0;
                }
                current = reload(device, current);
            }
        } catch (NativeIoException e) {
            err.println("ringguard: " + e.getMessage());
            return 1;
        } catch (IOException e) {
            err.println("ringguard: " + iface + ": " + e.getMessage());
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        } finally {
            if (metrics != null) {
                metrics.close();
            }
            if (uapi != null) {
                uapi.close();
            }
            device.close();
        }
    }

    /**
     * SIGHUP: re-reads the file; a bad file changes nothing (logged). Peers whose settings did not
     * change keep their sessions and counters; a changed PSK applies without removing the peer.
     */
    private GatewayConfig reload(Device device, GatewayConfig current) {
        GatewayConfig next;
        try {
            next = parser.parse(configFile);
        } catch (ConfigException e) {
            err.println("ringguard: reload refused, still running the previous configuration: " + e.getMessage());
            return current;
        }
        if (!next.interfaceName().equals(current.interfaceName())) {
            err.println("ringguard: reload refused: the interface name cannot change");
            return current;
        }
        int errno = device.update(live -> new Device.ConfigUpdate(next.device(), Set.of(), 0));
        if (errno != 0) {
            err.println("ringguard: reload refused (errno " + errno + "), still running the previous configuration");
            return current;
        }
        try {
            LinkSetup.reconcile(current.interfaceName(), current.addresses(), next.addresses(), next.mtu());
            LinkSetup.routes(
                    current.interfaceName(),
                    LinkSetup.allowedIps(current.device()),
                    LinkSetup.allowedIps(next.device()));
        } catch (IOException e) {
            err.println("ringguard: reload: addresses: " + e.getMessage());
        }
        err.println("ringguard: reloaded " + configFile + ": "
                + next.device().peers().size() + " peers");
        return next;
    }
}
