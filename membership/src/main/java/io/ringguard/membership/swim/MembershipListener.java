package io.ringguard.membership.swim;

import io.ringguard.membership.identity.NodeKey;
import org.agrona.DirectBuffer;

/**
 * What the gateway turns into WireGuard peers: up = add the peer, changed = update its endpoint or
 * addresses, down = remove it (dead, left or revoked). Called on the engine's thread, synchronously
 * from {@code tick}/{@code onDatagram}; implementations must not call back into the engine.
 */
public interface MembershipListener {
    void onMemberUp(MemberView member);

    void onMemberChanged(MemberView member);

    void onMemberDown(MemberView member);

    /** Opaque data (e.g. a WireGuard packet) that {@code origin} sent through a relay. */
    default void onRelayedData(NodeKey origin, DirectBuffer buffer, int offset, int lengthBytes) {}

    MembershipListener NONE = new MembershipListener() {
        @Override
        public void onMemberUp(MemberView member) {}

        @Override
        public void onMemberChanged(MemberView member) {}

        @Override
        public void onMemberDown(MemberView member) {}
    };
}
