package io.ringguard.gateway.uapi;

import java.util.Arrays;
import java.util.List;

/** A parsed UAPI request: {@code get=1}, a validated {@code set=1}, or a malformed one. */
public sealed interface UapiRequest {
    /** {@code get=1}. */
    record Get() implements UapiRequest {}

    /** {@code set=1} with its operations in request order. */
    record Set(List<SetOp> ops) implements UapiRequest {
        public Set {
            ops = List.copyOf(ops);
        }

        /** Zeroes the key material this request carries; call once it has been applied. */
        public void wipe() {
            for (SetOp op : ops) {
                if (op instanceof SetOp.PrivateKey(byte[] key)) {
                    Arrays.fill(key, (byte) 0);
                } else if (op instanceof SetOp.PresharedKey(byte[] key)) {
                    Arrays.fill(key, (byte) 0);
                }
            }
        }
    }

    /** A request that must be answered with {@code errno} and nothing else. */
    record Malformed(int errno, String message) implements UapiRequest {}
}
