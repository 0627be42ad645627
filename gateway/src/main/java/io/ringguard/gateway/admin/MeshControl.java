package io.ringguard.gateway.admin;

import io.ringguard.membership.org.OrgMessage;
import io.ringguard.membership.org.OrgRegistry;
import io.ringguard.membership.swim.MemberView;
import java.util.List;

/**
 * What the admin API needs from the gateway mesh ({@code GET /v1/members}, {@code POST
 * /v1/org/messages}). Implementations hand the call to the thread that owns the membership engine and
 * wait for it; any thread may call.
 */
public interface MeshControl {
    /** This node first, then every member it knows. */
    List<MemberView> members();

    /** Verifies and applies an org message, then gossips it; a bad signature or replay changes nothing. */
    OrgRegistry.Result submit(OrgMessage message);
}
