package io.ringguard.handshake.noise;

/** Why a handshake message was refused; each maps to a counted drop reason. */
public enum Rejection {
    NONE,
    /** We have no private key configured. */
    NO_IDENTITY,
    /** A Diffie-Hellman result was all zeros: a low-order public key. */
    LOW_ORDER_KEY,
    /** The encrypted static key did not authenticate. */
    BAD_STATIC,
    /** The decrypted static key belongs to no configured peer. */
    UNKNOWN_PEER,
    /** The encrypted timestamp did not authenticate. */
    BAD_TIMESTAMP,
    /** The timestamp is not later than the newest one seen from this peer. */
    REPLAYED_TIMESTAMP,
    /** An initiation from this peer was consumed less than 20 ms ago. */
    INITIATION_FLOOD,
    /** The receiver index names no handshake in progress. */
    UNKNOWN_INDEX,
    /** The handshake is not in the state this message answers. */
    WRONG_STATE,
    /** The response's empty payload did not authenticate. */
    BAD_RESPONSE
}
