package io.ringguard.gateway;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Picks the log level from the environment before the first logger exists (slf4j-simple reads its
 * configuration once). {@code RINGGUARD_LOG_LEVEL} takes SLF4J's names ({@code trace debug info warn
 * error off}); {@code LOG_LEVEL} is wireguard-go's variable ({@code verbose error silent}) so that
 * {@code LOG_LEVEL=verbose wg-quick up} means the same for both. An explicit
 * {@code -Dorg.slf4j.simpleLogger.defaultLogLevel} wins over both. Called from {@code main} only.
 */
public final class LogLevel {
    static final String PROPERTY = "org.slf4j.simpleLogger.defaultLogLevel";
    static final String OWN_PROPERTY = "org.slf4j.simpleLogger.log.io.ringguard";
    private static final Map<String, String> WIREGUARD_GO =
            Map.of("verbose", "debug", "error", "error", "silent", "off");
    private static final Set<String> SLF4J = Set.of("trace", "debug", "info", "warn", "error", "off");

    private LogLevel() {}

    /**
     * The slf4j-simple level for these variables, or empty to keep the default (info). An unknown
     * value is ignored rather than fatal: a typo in a logging variable must not stop a gateway.
     */
    static Optional<String> fromEnvironment(String ringguardLevel, String wireguardGoLevel) {
        if (ringguardLevel != null) {
            String level = ringguardLevel.trim().toLowerCase(Locale.ROOT);
            if (SLF4J.contains(level)) {
                return Optional.of(level);
            }
        }
        if (wireguardGoLevel != null) {
            return Optional.ofNullable(WIREGUARD_GO.get(wireguardGoLevel.trim().toLowerCase(Locale.ROOT)));
        }
        return Optional.empty();
    }

    /**
     * Sets the backend's level from the process environment unless a system property already did.
     * Debug and trace apply to RingGuard's own loggers only: the JDK's platform loggers (routed into
     * SLF4J) log a stack trace per process start and exit at debug, which helps nobody.
     */
    static void configure() {
        if (System.getProperty(PROPERTY) == null && System.getProperty(OWN_PROPERTY) == null) {
            fromEnvironment(System.getenv("RINGGUARD_LOG_LEVEL"), System.getenv("LOG_LEVEL"))
                    .ifPresent(level -> {
                        System.setProperty(OWN_PROPERTY, level);
                        if (!level.equals("debug") && !level.equals("trace")) {
                            System.setProperty(PROPERTY, level);
                        }
                    });
        }
    }
}
