package io.ringguard.membership.swim;

/** How this node reaches a member, as {@code GET /v1/members} shows it. */
public enum Path {
    /** Datagrams go straight to the member's endpoint (public, or after a successful punch). */
    DIRECT("direct"),
    /** Punching failed; datagrams are relayed through a mutual member. */
    RELAY("relay"),
    /** Not established yet, or the member is down. */
    NONE("none");

    private final String jsonName;

    Path(String jsonName) {
        this.jsonName = jsonName;
    }

    public String jsonName() {
        return jsonName;
    }
}
