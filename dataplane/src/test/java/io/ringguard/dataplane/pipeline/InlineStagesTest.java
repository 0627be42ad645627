package io.ringguard.dataplane.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.lmax.disruptor.EventHandler;
import com.lmax.disruptor.RingBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class InlineStagesTest {
    /** A ring entry: which producer published it and its sequence number within that producer. */
    static final class Entry {
        int producer;
        int index;
    }

    @Test
    void shouldRunEveryEventOnceInOrderWhenProducersRace() throws Exception {
        int producers = 3;
        int perProducer = 20_000;
        RingBuffer<Entry> ring = RingBuffer.createMultiProducer(Entry::new, 64);
        int[] next = new int[producers];
        AtomicInteger outOfOrder = new AtomicInteger();
        AtomicInteger batchEnds = new AtomicInteger();
        // Not thread-safe on purpose: the drain must never run it on two threads at once.
        EventHandler<Entry> stage = (entry, sequence, endOfBatch) -> {
            if (entry.index != next[entry.producer]) {
                outOfOrder.incrementAndGet();
            }
            next[entry.producer] = entry.index + 1;
            if (endOfBatch) {
                batchEnds.incrementAndGet();
            }
        };
        InlineStages<Entry> inline = new InlineStages<>(ring, stage, e -> {});
        Thread stageThread = Thread.ofPlatform().daemon(true).start(inline);
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int p = 0; p < producers; p++) {
            int producer = p;
            threads.add(Thread.ofPlatform().daemon(true).start(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                // Batches of 1 to 4: single packets run inline, bursts go to the stage thread.
                for (int i = 0; i < perProducer; ) {
                    int batch = Math.min(1 + (i + producer) % 4, perProducer - i);
                    long hi = ring.next(batch);
                    for (int k = 0; k < batch; k++) {
                        Entry entry = ring.get(hi - batch + 1 + k);
                        entry.producer = producer;
                        entry.index = i + k;
                    }
                    ring.publish(hi - batch + 1, hi);
                    inline.published(batch);
                    i += batch;
                }
            }));
        }
        start.countDown();
        for (Thread t : threads) {
            t.join(TimeUnit.SECONDS.toMillis(30));
            assertTrue(!t.isAlive(), "producer stuck: the ring filled and nobody drained it");
        }
        // Whatever is left after the producers stopped is the stage thread's (bounded wait).
        long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!done(next, perProducer) && System.nanoTime() < deadlineNs) {
            Thread.sleep(1);
        }
        for (int p = 0; p < producers; p++) {
            assertEquals(perProducer, next[p], "events of producer " + p + " run exactly once, none left behind");
        }
        assertEquals(0, outOfOrder.get());
        assertTrue(batchEnds.get() > 0, "the last available event of a drain is flagged endOfBatch");
        assertTrue(inline.inlineBatches() > 0, "single packets ran on the producers' threads");
        assertEquals(0, inline.stageErrors());
        inline.stop();
        stageThread.join(2_000);
        assertTrue(!stageThread.isAlive(), "the stage thread stops when told");
    }

    /** Without a stage thread to fall back on, a lost hand-over between racing producers strands events. */
    @Test
    void shouldLeaveNoEventBehindBetweenRacingProducersWithoutAStageThread() throws Exception {
        int producers = 3;
        int perProducer = 20_000;
        RingBuffer<Entry> ring = RingBuffer.createMultiProducer(Entry::new, 64);
        int[] next = new int[producers];
        InlineStages<Entry> inline =
                new InlineStages<>(ring, (entry, sequence, endOfBatch) -> next[entry.producer]++, e -> {});
        List<Thread> threads = new ArrayList<>();
        for (int p = 0; p < producers; p++) {
            int producer = p;
            threads.add(Thread.ofPlatform().daemon(true).start(() -> {
                for (int i = 0; i < perProducer; i++) {
                    long sequence = ring.next();
                    ring.get(sequence).producer = producer;
                    ring.publish(sequence);
                    inline.published(1);
                }
            }));
        }
        for (Thread t : threads) {
            t.join(TimeUnit.SECONDS.toMillis(30));
            assertTrue(!t.isAlive(), "producer stuck: the ring filled and nobody drained it");
        }
        for (int p = 0; p < producers; p++) {
            assertEquals(perProducer, next[p], "events of producer " + p);
        }
    }

    private static boolean done(int[] next, int perProducer) {
        for (int n : next) {
            if (n != perProducer) {
                return false;
            }
        }
        return true;
    }

    @Test
    void shouldSkipAndCountAnEventWhoseStageThrowsAndGoOn() {
        RingBuffer<Entry> ring = RingBuffer.createMultiProducer(Entry::new, 8);
        List<Integer> seen = new ArrayList<>();
        List<Throwable> errors = new ArrayList<>();
        InlineStages<Entry> inline = new InlineStages<>(
                ring,
                (entry, sequence, endOfBatch) -> {
                    if (entry.index == 1) {
                        throw new IllegalStateException("stage failed on event 1");
                    }
                    seen.add(entry.index);
                },
                errors::add);
        for (int i = 0; i < 20; i++) {
            long sequence = ring.next();
            ring.get(sequence).index = i % 4;
            ring.publish(sequence);
            inline.published(1);
        }
        assertEquals(15, seen.size(), "every event but the failing ones, and the ring never filled");
        assertEquals(5, inline.stageErrors());
        assertEquals(5, errors.size());
    }
}
