/**
 * IP header flyweights, the Internet checksum and an ICMP echo builder. All multi-byte IP fields are
 * big-endian (network byte order); every reader checks lengths before it reads and never throws on a bad
 * packet.
 */
package io.ringguard.buffers.ip;
