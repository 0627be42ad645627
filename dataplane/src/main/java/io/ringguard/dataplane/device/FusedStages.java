package io.ringguard.dataplane.device;

import com.lmax.disruptor.EventHandler;
import java.util.List;

/**
 * Several ring stages run one after another on one thread, for each event in ring order: the same
 * results as the pipeline, minus the thread hand-offs. Used when there is one crypto worker, where
 * separate stage threads add only wake-up latency.
 */
final class FusedStages<T> implements EventHandler<T> {
    private final List<EventHandler<T>> stages;

    FusedStages(List<EventHandler<T>> stages) {
        this.stages = List.copyOf(stages);
    }

    @Override
    public void onEvent(T event, long sequence, boolean endOfBatch) throws Exception {
        for (int i = 0; i < stages.size(); i++) {
            stages.get(i).onEvent(event, sequence, endOfBatch);
        }
    }
}
