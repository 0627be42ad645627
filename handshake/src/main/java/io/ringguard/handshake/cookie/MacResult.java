package io.ringguard.handshake.cookie;

/** What {@link CookieChecker#validate} found in a handshake message's MACs. */
public enum MacResult {
    /** mac1 is wrong: drop without any further work. */
    INVALID_MAC,
    /** mac1 is right but mac2 does not carry our current cookie for this source. */
    VALID_MAC_NO_COOKIE,
    /** Both MACs are right: the source proved it can receive at its address. */
    VALID_MAC_WITH_COOKIE
}
