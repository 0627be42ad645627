package io.ringguard.dataplane.allowedips;

/** A peer stand-in; the table compares peers by identity, the name is for failure messages. */
final class TestPeer {
    private final String name;

    TestPeer(final String name) {
        this.name = name;
    }

    @Override
    public String toString() {
        return "peer " + name;
    }
}
