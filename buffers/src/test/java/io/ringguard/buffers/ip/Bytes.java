package io.ringguard.buffers.ip;

import java.util.HexFormat;
import org.agrona.concurrent.UnsafeBuffer;

/** Test vectors written as hex, the way captures and RFCs print them. */
final class Bytes {
    private Bytes() {}

    static byte[] hex(final String hex) {
        return HexFormat.of().parseHex(hex.replace(" ", ""));
    }

    /** A buffer exactly as long as the bytes, so any read past the end throws instead of passing silently. */
    static UnsafeBuffer exact(final byte[] bytes) {
        return new UnsafeBuffer(bytes);
    }
}
