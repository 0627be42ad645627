package io.ringguard.gateway.metrics;

import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.ringguard.membership.swim.MemberState;
import io.ringguard.membership.swim.MemberView;
import java.util.Collection;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * {@code ringguard_gossip_members{interface,state}}: the gateway mesh's members (this node included)
 * by state, counted from the membership engine's view at scrape time. Every state is exposed, zeros
 * included, so a dashboard sees {@code dead} go from 0 to 1; without a mesh the series are absent.
 */
final class MembersCollector implements MultiCollector {
    static final String NAME = "ringguard_gossip_members";

    private final String interfaceName;
    private final Supplier<? extends Collection<MemberView>> members;

    /** @param members the current members, or null when this gateway runs no mesh (asked per scrape) */
    MembersCollector(String interfaceName, Supplier<? extends Collection<MemberView>> members) {
        this.interfaceName = Objects.requireNonNull(interfaceName, "interfaceName");
        this.members = Objects.requireNonNull(members, "members");
    }

    /** Scrape thread. */
    @Override
    public MetricSnapshots collect() {
        Collection<MemberView> now = members.get();
        if (now == null) {
            return MetricSnapshots.of();
        }
        Map<MemberState, Integer> counts = new EnumMap<>(MemberState.class);
        for (MemberState state : MemberState.values()) {
            counts.put(state, 0);
        }
        for (MemberView member : now) {
            counts.merge(member.state(), 1, Integer::sum);
        }
        GaugeSnapshot.Builder gauge =
                GaugeSnapshot.builder().name(NAME).help("Gateway mesh members (this node included) by state.");
        counts.forEach((state, count) -> gauge.dataPoint(GaugeDataPointSnapshot.builder()
                .labels(Labels.of("interface", interfaceName, "state", state.jsonName()))
                .value(count)
                .build()));
        return MetricSnapshots.of(gauge.build());
    }
}
