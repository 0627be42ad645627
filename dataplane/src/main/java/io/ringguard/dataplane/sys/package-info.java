/**
 * Native I/O of the dataplane: the TUN device ({@link io.ringguard.dataplane.sys.TunDevice}, {@link
 * io.ringguard.dataplane.sys.LinuxTun}) and batched UDP sockets ({@link io.ringguard.dataplane.sys.UdpSocket},
 * {@link io.ringguard.dataplane.sys.LinuxUdpSocket}, {@link io.ringguard.dataplane.sys.DatagramBatch}) over JNA
 * direct-mapped libc calls ({@link io.ringguard.dataplane.sys.Posix}), plus in-memory fakes ({@link
 * io.ringguard.dataplane.sys.FakeTun}, {@link io.ringguard.dataplane.sys.FakeUdp}) so pipelines are tested
 * without root. Packet-path calls return lengths or {@link io.ringguard.dataplane.sys.IoStatus} codes, never
 * throw and never allocate; setup failures throw {@link io.ringguard.dataplane.sys.NativeIoException}.
 */
package io.ringguard.dataplane.sys;
