/**
 * The config file of {@code ringguard up CONFIG} (CONTRACTS.md section 3): wg-quick's format, read
 * case-insensitively, plus the RingGuard-only {@code [Gateway]} section.
 *
 * <p>{@link io.ringguard.gateway.config.GatewayConfigParser} turns a file into a {@link
 * io.ringguard.gateway.config.GatewayConfig} (the dataplane's {@link
 * io.ringguard.dataplane.config.DeviceConfig}, interface addresses, MTU, the wg-quick extras, and
 * {@link io.ringguard.gateway.config.GatewaySettings}) or throws a {@link
 * io.ringguard.gateway.config.ConfigException} naming file, line and key, so that a bad config
 * stops {@code up} with exit code 2 before anything is created. {@link
 * io.ringguard.gateway.config.GatewayConfigWriter} writes the reverse: a client's config for the
 * registration API, and a whole gateway config.
 *
 * <p>Decisions:
 *
 * <ul>
 *   <li>Section and key names ignore ASCII case (as {@code wg(8)}); values do not, except keywords
 *       ({@code off}, {@code auto}, {@code true}) and URL schemes.
 *   <li>{@code #} starts a comment anywhere, as in wg-quick: a PostUp command cannot contain one.
 *   <li>The interface is named after the file, like wg-quick, and the name must suit the kernel.
 *   <li>An unknown key or section is an error, not a warning: a typo such as {@code AlowedIPs} would
 *       otherwise silently open or close a route.
 *   <li>A prefix may belong to only one peer: the same prefix on two peers is an error naming both
 *       lines (wg-quick silently moves it to the last peer). Nested prefixes on different peers
 *       ({@code 0.0.0.0/0} on one, {@code 198.18.0.0/24} on another) are allowed: that is
 *       WireGuard's longest-prefix routing and how hub configs are written.
 *   <li>Secrets never become a {@code String} and never appear in messages; see {@link
 *       io.ringguard.gateway.config.GatewayConfigParser}.
 * </ul>
 */
package io.ringguard.gateway.config;
