package io.ringguard.dataplane.pipeline;

import com.lmax.disruptor.EventHandler;
import com.lmax.disruptor.EventPoller;
import com.lmax.disruptor.RingBuffer;
import java.lang.invoke.VarHandle;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * Runs a ring's (fused) stages either on the thread that published, for a small batch when nothing else is
 * running them (run to completion: no hand-off, no wake-up), or on a stage thread of their own for a burst
 * (the pipeline keeps its parallelism under load). With one crypto worker a hand-off to a stage thread costs
 * a wake-up (a futex and a context switch, tens of microseconds on a VM) per direction: a ping through two
 * RingGuard gateways crossed eight of them, so single packets (pings, DNS, interactive traffic) go inline.
 *
 * <p>The ring stays what it was (bounded, ordered, one consumer sequence); only who consumes changes. One
 * thread at a time holds the drain (a CAS, no lock) and processes everything published, its own events and
 * any other producer's, in ring order. A producer that finds the drain held returns at once, because the
 * holder re-checks for new events after letting go:
 *
 * <pre>
 *   producer:  publish(e)  ->  CAS(draining, false, true)
 *   holder:    draining = false  ->  full fence  ->  isAvailable(next)?  -> CAS again
 * </pre>
 *
 * Either the holder's check sees {@code e}, or the producer's CAS comes after the holder let go and
 * succeeds: an event is never left behind. The stage thread parks the same way ({@code parked = true}, fence,
 * re-check) and a producer that hands over a burst unparks it only when it is parked. Stages see the same
 * calls as from a {@code BatchEventProcessor} ({@code endOfBatch} on the last available event), so their
 * batching (sendmmsg, coalesced TUN writes) is unchanged.
 *
 * <p>A stage that throws is logged through {@code onError} and counted; its event is skipped (a stage
 * thread would have died with it). Threading: {@link #published} on any producer thread, {@link #run} on
 * the stage thread; nothing allocated per call.
 */
public final class InlineStages<T> implements Runnable {
    /** Batches up to this many events run on the producer's thread when the stages are idle. */
    public static final int INLINE_MAX_BATCH = 2;

    private static final long PARK_NS = TimeUnit.MILLISECONDS.toNanos(100);

    private final RingBuffer<T> ring;
    private final EventPoller<T> poller;
    private final EventPoller.Handler<T> handler;
    private final AtomicBoolean draining = new AtomicBoolean();
    private final AtomicLong stageErrors = new AtomicLong();
    private final AtomicLong inlineBatches = new AtomicLong();
    private volatile boolean parked;
    private volatile boolean running = true;
    private volatile Thread stageThread;

    public InlineStages(RingBuffer<T> ring, EventHandler<T> stages, Consumer<Throwable> onError) {
        this.ring = ring;
        this.poller = ring.newPoller();
        ring.addGatingSequences(poller.getSequence());
        this.handler = (event, sequence, endOfBatch) -> {
            try {
                stages.onEvent(event, sequence, endOfBatch);
            } catch (Exception e) {
                stageErrors.incrementAndGet();
                onError.accept(e);
            }
            return true;
        };
    }

    /**
     * Call after publishing {@code count} events: a small batch runs here unless another thread is running the
     * stages (it will see the events); a burst goes to the stage thread.
     */
    public void published(int count) {
        if (count <= INLINE_MAX_BATCH) {
            if (drain()) {
                inlineBatches.incrementAndGet();
            }
            return;
        }
        // Store-load: our publish must be visible before we read the stage thread's parked flag.
        VarHandle.fullFence();
        if (parked) {
            LockSupport.unpark(stageThread);
        }
    }

    /**
     * Runs the stages over everything published so far, unless another thread is doing it right now.
     *
     * @return whether this thread ran them
     */
    public boolean drain() {
        boolean ran = false;
        do {
            if (!draining.compareAndSet(false, true)) {
                return ran;
            }
            ran = true;
            try {
                while (poller.poll(handler) == EventPoller.PollState.PROCESSING) {
                    // Each poll runs one contiguous published range; go on until nothing is left.
                }
            } catch (Exception e) {
                // poll itself throws only what the handler throws, and the handler throws nothing.
                stageErrors.incrementAndGet();
            } finally {
                draining.set(false);
            }
            // Store-load: the release above must be visible before we look for events published meanwhile.
            VarHandle.fullFence();
        } while (ring.isAvailable(poller.getSequence().get() + 1));
        return ran;
    }

    /** The stage thread: drains, then parks until a producer hands it a burst (or 100 ms pass). */
    @Override
    public void run() {
        stageThread = Thread.currentThread();
        while (running) {
            drain();
            parked = true;
            VarHandle.fullFence();
            if (running && (!ring.isAvailable(poller.getSequence().get() + 1) || draining.get())) {
                // Nothing to do, or another thread is on it (and re-checks when it lets go).
                LockSupport.parkNanos(this, PARK_NS);
            }
            parked = false;
        }
        drain();
    }

    /** Stops the stage thread (within its park time); producers can still drain. Any thread. */
    public void stop() {
        running = false;
        Thread t = stageThread;
        if (t != null) {
            LockSupport.unpark(t);
        }
    }

    /** Events whose stages threw (each skipped); any thread. */
    public long stageErrors() {
        return stageErrors.get();
    }

    /** Batches a producer ran itself; any thread. */
    public long inlineBatches() {
        return inlineBatches.get();
    }
}
