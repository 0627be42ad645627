package io.ringguard.dataplane.device;

/**
 * Every {@link DeviceTest} again with one crypto worker and {@link DeviceSettings.RingWait#INLINE}: no stage
 * threads, the TUN reader, UDP receivers and control thread run the fused stages themselves.
 */
class InlineDeviceTest extends DeviceTest {
    @Override
    int workers() {
        return 1;
    }

    @Override
    DeviceSettings.RingWait ringWait() {
        return DeviceSettings.RingWait.INLINE;
    }
}
