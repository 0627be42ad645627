package io.ringguard.dataplane.sys;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

class FakeTunTest {
    private final FakeTun tun = new FakeTun("rgfake0", 1420, 2);
    private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[256]);

    @Test
    void shouldReadInjectedPacketsInOrder() {
        assertTrue(tun.inject(new byte[] {1, 2, 3}));
        assertTrue(tun.inject(new byte[] {4}));

        assertEquals(1, tun.awaitReadable(0));
        assertEquals(3, tun.read(buffer, 10, 100));
        assertEquals(3, buffer.getByte(12));
        assertEquals(1, tun.read(buffer, 20, 100));
        assertEquals(4, buffer.getByte(20));
        assertEquals(IoStatus.WOULD_BLOCK, tun.read(buffer, 0, 100));
        assertEquals(0, tun.awaitReadable(0));
    }

    @Test
    void shouldDropInjectionsBeyondItsBound() {
        assertTrue(tun.inject(new byte[1]));
        assertTrue(tun.inject(new byte[1]));
        assertFalse(tun.inject(new byte[1]));
        assertEquals(2, tun.pendingReadCount());
    }

    @Test
    void shouldReadABatchUntilEmpty() {
        tun.inject(new byte[] {7, 7});
        tun.inject(new byte[] {8});
        final int[] offsets = {0, 64, 128};
        final int[] lengths = new int[3];

        assertEquals(2, tun.readBatch(buffer, offsets, 64, lengths, 3));
        assertEquals(2, lengths[0]);
        assertEquals(1, lengths[1]);
        assertEquals(8, buffer.getByte(64));
        assertEquals(IoStatus.WOULD_BLOCK, tun.readBatch(buffer, offsets, 64, lengths, 3));
    }

    @Test
    void shouldKeepWrittenPacketsForTheTestAndPushBackWhenFull() throws Exception {
        buffer.putBytes(5, new byte[] {9, 8, 7});

        assertEquals(3, tun.write(buffer, 5, 3));
        assertEquals(2, tun.write(buffer, 6, 2));
        assertEquals(IoStatus.WOULD_BLOCK, tun.write(buffer, 5, 3));
        assertArrayEquals(new byte[] {9, 8, 7}, tun.pollWritten());
        assertArrayEquals(new byte[] {8, 7}, tun.awaitWritten(0));
        assertNull(tun.pollWritten());
    }

    @Test
    void shouldReportDeviceGoneAfterDeleteOnEveryCall() {
        tun.inject(new byte[] {1});
        tun.delete();

        assertEquals(IoStatus.DEVICE_GONE, tun.read(buffer, 0, 10));
        assertEquals(IoStatus.DEVICE_GONE, tun.write(buffer, 0, 1));
        assertEquals(IoStatus.DEVICE_GONE, tun.awaitReadable(1000));
        assertEquals(Posix.EBADFD, tun.lastReadErrno());
        assertFalse(tun.inject(new byte[] {1}));
    }

    @Test
    void shouldReportClosedAfterClose() {
        tun.close();

        assertEquals(IoStatus.CLOSED, tun.read(buffer, 0, 10));
        assertEquals(IoStatus.CLOSED, tun.write(buffer, 0, 1));
        assertEquals(IoStatus.CLOSED, tun.awaitReadable(1000));
    }

    @Test
    void shouldWakeAWaitingReaderWhenAPacketArrives() throws Exception {
        final int[] result = new int[1];
        final Thread reader = new Thread(() -> result[0] = tun.awaitReadable(10_000));
        reader.start();
        tun.inject(new byte[] {1});
        reader.join(10_000);

        assertFalse(reader.isAlive());
        assertEquals(1, result[0]);
    }
}
