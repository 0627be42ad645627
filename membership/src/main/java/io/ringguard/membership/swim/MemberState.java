package io.ringguard.membership.swim;

import io.ringguard.membership.wire.MemberRecord;

/** A member's state as {@code GET /v1/members} shows it. */
public enum MemberState {
    ALIVE(MemberRecord.STATE_ALIVE, "alive"),
    SUSPECT(MemberRecord.STATE_SUSPECT, "suspect"),
    DEAD(MemberRecord.STATE_DEAD, "dead"),
    LEFT(MemberRecord.STATE_LEFT, "left");

    private final int code;
    private final String jsonName;

    MemberState(int code, String jsonName) {
        this.code = code;
        this.jsonName = jsonName;
    }

    /** The wire code in {@link MemberRecord}. */
    public int code() {
        return code;
    }

    /** The value of the {@code state} field in {@code /v1/members}. */
    public String jsonName() {
        return jsonName;
    }

    /** True for states in which the member stays a WireGuard peer (suspects still get traffic). */
    public boolean isUp() {
        return this == ALIVE || this == SUSPECT;
    }
}
