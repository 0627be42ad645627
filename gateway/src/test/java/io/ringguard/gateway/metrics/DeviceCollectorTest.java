package io.ringguard.gateway.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.ringguard.dataplane.counters.DataplaneCounters.HandshakeEvent;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DeviceCollectorTest {
    @Test
    void shouldMapEveryHandshakeEventToItsOwnKindAndResult() {
        Map<HandshakeEvent, List<String>> expected = new EnumMap<>(HandshakeEvent.class);
        expected.put(HandshakeEvent.INITIATION_SENT, List.of("initiation", "sent"));
        expected.put(HandshakeEvent.INITIATION_RECEIVED, List.of("initiation", "received"));
        expected.put(HandshakeEvent.INITIATION_REJECTED, List.of("initiation", "rejected"));
        expected.put(HandshakeEvent.RESPONSE_SENT, List.of("response", "sent"));
        expected.put(HandshakeEvent.RESPONSE_RECEIVED, List.of("response", "received"));
        expected.put(HandshakeEvent.RESPONSE_REJECTED, List.of("response", "rejected"));
        expected.put(HandshakeEvent.COOKIE_REPLY_SENT, List.of("cookie_reply", "sent"));
        expected.put(HandshakeEvent.COOKIE_REPLY_RECEIVED, List.of("cookie_reply", "received"));
        expected.put(HandshakeEvent.COOKIE_REPLY_REJECTED, List.of("cookie_reply", "rejected"));
        Set<List<String>> distinct = new HashSet<>();
        for (HandshakeEvent event : HandshakeEvent.values()) {
            if (event == HandshakeEvent.SESSION_STARTED) {
                assertNull(DeviceCollector.kind(event));
                assertNull(DeviceCollector.result(event));
                continue;
            }
            List<String> labels = List.of(DeviceCollector.kind(event), DeviceCollector.result(event));
            assertEquals(expected.get(event), labels, event.name());
            distinct.add(labels);
        }
        assertEquals(HandshakeEvent.values().length - 1, distinct.size(), "no two events share a series");
    }
}
