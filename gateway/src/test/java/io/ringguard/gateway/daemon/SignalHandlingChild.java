package io.ringguard.gateway.daemon;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** A tiny daemon for {@link SignalHandlingTest}: reports each signal on stdout, exits 0 on TERM. */
final class SignalHandlingChild {
    private SignalHandlingChild() {}

    public static void main(String[] args) throws InterruptedException {
        CountDownLatch stopped = new CountDownLatch(1);
        AtomicInteger reloads = new AtomicInteger();
        SignalHandling.install(
                () -> {
                    say("shutdown");
                    stopped.countDown();
                },
                () -> say("reload " + reloads.incrementAndGet()));
        say("ready");
        if (!stopped.await(30, TimeUnit.SECONDS)) {
            System.exit(9);
        }
        System.exit(0);
    }

    private static void say(String line) {
        System.out.println(line);
        System.out.flush();
    }
}
