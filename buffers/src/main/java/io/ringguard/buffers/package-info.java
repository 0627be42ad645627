/** Off-heap packet slots, the lock-free slot pool, and IP header flyweights. */
package io.ringguard.buffers;
