package io.ringguard.gateway.config;

import java.util.List;
import java.util.Optional;

/**
 * The {@code [Interface]} keys that {@code wg-quick} acts on and {@code wg(8)} ignores. They are
 * accepted and kept so that a wg-quick file works unchanged; whether {@code ringguard up} acts on
 * them (runs the hooks, sets DNS, installs routes in a table) is decided by the lifecycle code, not
 * here.
 *
 * @param dns {@code DNS} entries in order: resolver addresses and search domains, as written
 * @param table {@code Table}: {@code off}, {@code auto}, a table number or name; empty = wg-quick's
 *     default (auto)
 * @param preUp shell commands, in file order, one per {@code PreUp} line
 * @param postUp one per {@code PostUp} line
 * @param preDown one per {@code PreDown} line
 * @param postDown one per {@code PostDown} line
 * @param saveConfig {@code SaveConfig = true}
 */
public record WgQuickExtras(
        List<String> dns,
        Optional<String> table,
        List<String> preUp,
        List<String> postUp,
        List<String> preDown,
        List<String> postDown,
        boolean saveConfig) {
    public static final WgQuickExtras NONE =
            new WgQuickExtras(List.of(), Optional.empty(), List.of(), List.of(), List.of(), List.of(), false);

    public WgQuickExtras {
        dns = List.copyOf(dns);
        preUp = List.copyOf(preUp);
        postUp = List.copyOf(postUp);
        preDown = List.copyOf(preDown);
        postDown = List.copyOf(postDown);
    }

    /** True if the file used none of these keys. */
    public boolean isEmpty() {
        return equals(NONE);
    }
}
