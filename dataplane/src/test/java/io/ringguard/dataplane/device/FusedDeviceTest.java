package io.ringguard.dataplane.device;

/** Every {@link DeviceTest} again with one crypto worker, where each direction runs fused on one thread. */
class FusedDeviceTest extends DeviceTest {
    @Override
    int workers() {
        return 1;
    }
}
