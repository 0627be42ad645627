/**
 * Segmentation offloads done in userspace: the {@code virtio_net_hdr} a TUN with {@code IFF_VNET_HDR} puts in
 * front of each packet, splitting TCP super-packets the kernel hands over (TSO) into MTU-sized segments, and
 * coalescing consecutive segments of one TCP flow into one super-packet for the kernel (GRO-like). Pure
 * buffer code, no system calls: {@code sys.LinuxTun} drives it.
 */
package io.ringguard.dataplane.offload;
