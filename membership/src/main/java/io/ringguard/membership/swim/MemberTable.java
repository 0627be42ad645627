package io.ringguard.membership.swim;

import io.ringguard.membership.identity.NodeKey;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The member table with a hard cap. When it is full, a newcomer may take the slot of a dead or left
 * member (oldest first), then of a suspect one; an alive member is never evicted, so a flood of new
 * identities cannot push out a live node. The engine's thread only.
 */
final class MemberTable {
    private final int maxMembers;
    private final Map<NodeKey, Member> byKey = new HashMap<>();
    private final List<Member> members = new ArrayList<>();

    MemberTable(int maxMembers) {
        this.maxMembers = maxMembers;
    }

    Member get(NodeKey key) {
        return byKey.get(key);
    }

    int size() {
        return members.size();
    }

    Member at(int index) {
        return members.get(index);
    }

    /**
     * Adds a new member; when full, first reclaims the slot of a non-alive one. Returns null when
     * every slot holds an alive member. {@code evicted} receives the reclaimed member, if any.
     */
    Member add(NodeKey key, Member[] evicted) {
        evicted[0] = null;
        if (members.size() >= maxMembers) {
            Member victim = victim();
            if (victim == null) {
                return null;
            }
            remove(victim);
            evicted[0] = victim;
        }
        Member m = new Member(key);
        m.tableIndex = members.size();
        members.add(m);
        byKey.put(key, m);
        return m;
    }

    private Member victim() {
        Member best = null;
        for (int i = 0, n = members.size(); i < n; i++) {
            Member m = members.get(i);
            if (m.state == MemberState.ALIVE) {
                continue;
            }
            if (best == null
                    || rank(m) < rank(best)
                    || (rank(m) == rank(best) && m.stateChangeMs < best.stateChangeMs)) {
                best = m;
            }
        }
        return best;
    }

    private static int rank(Member m) {
        return m.state == MemberState.SUSPECT ? 1 : 0;
    }

    /** Swap-removes {@code m}; O(1). */
    void remove(Member m) {
        int i = m.tableIndex;
        if (i < 0 || members.get(i) != m) {
            return;
        }
        Member last = members.remove(members.size() - 1);
        if (last != m) {
            members.set(i, last);
            last.tableIndex = i;
        }
        m.tableIndex = -1;
        m.removed = true;
        byKey.remove(m.key);
    }
}
