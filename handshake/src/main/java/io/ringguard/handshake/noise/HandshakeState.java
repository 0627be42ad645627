package io.ringguard.handshake.noise;

/** Where a peer's handshake stands (the kernel's {@code enum noise_handshake_state}). */
public enum HandshakeState {
    ZEROED,
    CREATED_INITIATION,
    CONSUMED_INITIATION,
    CREATED_RESPONSE,
    CONSUMED_RESPONSE
}
