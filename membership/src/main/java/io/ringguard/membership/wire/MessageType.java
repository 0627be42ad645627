package io.ringguard.membership.wire;

/**
 * Message types and the size of each type's fixed body part (big-endian fields).
 *
 * <pre>
 *  type              fixed part
 *  1 PING            probe seq (4) | target node key (32)                          then items
 *  2 PING_REQ        probe seq (4) | target node key (32) | target endpoint (19)   then items
 *  3 ACK             probe seq (4) | flags (1: bit0 forwarded) | observed endpoint of the
 *                    pinger as the acker saw it (19)                               then items
 *  4 NACK            probe seq (4)                                                 then items
 *  5 GOSSIP          -                                                             then items
 *  6 PUSH_PULL       flags (1: bit0 reply wanted) | claimed member total (2) | frame index (2)
 *                                                                                  then items
 *  7 PUNCH_REQUEST   round id (8) | target node key (32)                           then items
 *  8 PUNCH_NOTIFY    round id (8) | peer node key (32) | peer endpoint (19)        then items
 *  9 PUNCH           round id (8) | flags (1: bit0 ack)
 * 10 RELAY           origin key (32) | target key (32) | flags (1: bit0 opaque data) |
 *                    payload length (2) | payload
 * </pre>
 *
 * The item section is {@link Items}: member records and org messages piggy-backed on any message.
 */
public final class MessageType {
    public static final int PING = 1;
    public static final int PING_REQ = 2;
    public static final int ACK = 3;
    public static final int NACK = 4;
    public static final int GOSSIP = 5;
    public static final int PUSH_PULL = 6;
    public static final int PUNCH_REQUEST = 7;
    public static final int PUNCH_NOTIFY = 8;
    public static final int PUNCH = 9;
    public static final int RELAY = 10;

    public static final int PROBE_SEQ_OFFSET = 0;
    public static final int PING_TARGET_OFFSET = 4;
    public static final int PING_REQ_ENDPOINT_OFFSET = 36;
    public static final int ACK_FLAGS_OFFSET = 4;
    public static final int ACK_OBSERVED_OFFSET = 5;
    public static final int ACK_FLAG_FORWARDED = 1;
    public static final int PUSH_PULL_FLAGS_OFFSET = 0;
    public static final int PUSH_PULL_TOTAL_OFFSET = 1;
    public static final int PUSH_PULL_INDEX_OFFSET = 3;
    public static final int PUSH_PULL_FLAG_REPLY = 1;
    public static final int ROUND_OFFSET = 0;
    public static final int PUNCH_KEY_OFFSET = 8;
    public static final int PUNCH_NOTIFY_ENDPOINT_OFFSET = 40;
    public static final int PUNCH_FLAGS_OFFSET = 8;
    public static final int PUNCH_FLAG_ACK = 1;
    public static final int RELAY_ORIGIN_OFFSET = 0;
    public static final int RELAY_TARGET_OFFSET = 32;
    public static final int RELAY_FLAGS_OFFSET = 64;
    public static final int RELAY_LENGTH_OFFSET = 65;
    public static final int RELAY_PAYLOAD_OFFSET = 67;
    public static final int RELAY_FLAG_DATA = 1;

    private MessageType() {}

    /** Bytes of the fixed part of {@code type}'s body, or -1 for an unknown type. */
    public static int fixedLength(int type) {
        return switch (type) {
            case PING -> 36;
            case PING_REQ -> 55;
            case ACK -> 24;
            case NACK -> 4;
            case GOSSIP -> 0;
            case PUSH_PULL -> 5;
            case PUNCH_REQUEST -> 40;
            case PUNCH_NOTIFY -> 59;
            case PUNCH -> 9;
            case RELAY -> 67;
            default -> -1;
        };
    }

    /** True when an item section follows the fixed part. */
    public static boolean hasItems(int type) {
        return type != PUNCH && type != RELAY;
    }

    public static String name(int type) {
        return switch (type) {
            case PING -> "ping";
            case PING_REQ -> "ping_req";
            case ACK -> "ack";
            case NACK -> "nack";
            case GOSSIP -> "gossip";
            case PUSH_PULL -> "push_pull";
            case PUNCH_REQUEST -> "punch_request";
            case PUNCH_NOTIFY -> "punch_notify";
            case PUNCH -> "punch";
            case RELAY -> "relay";
            default -> "unknown";
        };
    }
}
