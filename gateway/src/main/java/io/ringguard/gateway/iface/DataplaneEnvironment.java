package io.ringguard.gateway.iface;

import io.ringguard.dataplane.device.DeviceSettings;
import java.util.function.UnaryOperator;

/**
 * The environment variables that tune the dataplane, read the same way by {@code ringguard -f IFACE} and
 * {@code ringguard up}: {@code RINGGUARD_WAIT_STRATEGY} ({@code blocking}, {@code lite_blocking}, {@code
 * phased}, {@code yielding}, {@code inline}) and {@code RINGGUARD_OFFLOADS} ({@code all}, {@code none}, or a
 * list of {@code tun} and {@code gso}). Unset or blank leaves the setting as it is.
 */
public final class DataplaneEnvironment {
    private DataplaneEnvironment() {}

    /**
     * Applies the variables to {@code settings}.
     *
     * @param environment a variable's value by name (e.g. {@code System::getenv}), null when unset
     * @throws IllegalArgumentException naming the variable and what it accepts
     */
    public static DeviceSettings apply(DeviceSettings settings, UnaryOperator<String> environment) {
        DeviceSettings result = settings;
        String wait = environment.apply("RINGGUARD_WAIT_STRATEGY");
        if (wait != null && !wait.isBlank()) {
            try {
                result = result.withWaitStrategy(DeviceSettings.RingWait.parse(wait));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("RINGGUARD_WAIT_STRATEGY: " + e.getMessage(), e);
            }
        }
        String offloads = environment.apply("RINGGUARD_OFFLOADS");
        if (offloads != null && !offloads.isBlank()) {
            try {
                result = result.withOffloads(offloads);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("RINGGUARD_OFFLOADS: " + e.getMessage(), e);
            }
        }
        return result;
    }
}
