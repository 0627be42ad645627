package io.ringguard.gateway.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Lines as iperf3 3.12 prints them with {@code -i 1 -f m --forceflush}, forward and with {@code -R}. */
class IperfLineTest {
    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "[  5]   0.00-1.00   sec   112 MBytes   940 Mbits/sec    0   3.00 MBytes       "
                        + "| 0.0 | 1.0 | 117440512 | 940000000 | INTERVAL",
                "[  5]   2.00-3.00   sec  95.6 MBytes   802 Mbits/sec                  "
                        + "| 2.0 | 3.0 | 100243866 | 802000000 | INTERVAL",
                "[  5]   0.00-5.00   sec   560 MBytes   940 Mbits/sec    7             sender"
                        + "| 0.0 | 5.0 | 587202560 | 940000000 | SENDER",
                "[  5]   0.00-5.04   sec   558 MBytes   929 Mbits/sec                  receiver"
                        + "| 0.0 | 5.04 | 585105408 | 929000000 | RECEIVER",
                "[  5]   4.00-5.00   sec   512 KBytes  4.19 Mbits/sec    2   1.41 KBytes       "
                        + "| 4.0 | 5.0 | 524288 | 4190000 | INTERVAL",
                "[  5]   1.00-2.00   sec  1.10 GBytes  9.45 Gbits/sec    0    512 KBytes"
                        + "| 1.0 | 2.0 | 1181116006 | 9450000000 | INTERVAL",
                "[  5]   9.00-10.00  sec  0.00 Bytes  0.00 bits/sec    0   1.41 KBytes"
                        + "| 9.0 | 10.0 | 0 | 0 | INTERVAL",
                "[SUM]   0.00-1.00   sec   224 MBytes  1879 Mbits/sec    0"
                        + "| 0.0 | 1.0 | 234881024 | 1879000000 | INTERVAL",
            })
    void shouldReadIntervalsAndTotals(
            String line, double startSec, double endSec, long bytes, double bitsPerSecond, IperfLine.Kind kind) {
        IperfLine parsed = IperfLine.parse(line);
        assertNotNull(parsed, line);
        assertEquals(startSec, parsed.startSec(), 1e-9);
        assertEquals(endSec, parsed.endSec(), 1e-9);
        assertEquals(bytes, parsed.transferBytes());
        assertEquals(bitsPerSecond, parsed.bitsPerSecond(), 1e-3);
        assertEquals(kind, parsed.kind());
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(
            strings = {
                "Connecting to host 198.19.254.2, port 5201",
                "Reverse mode, remote host 198.19.254.2 is sending",
                "[  5] local 198.19.254.1 port 40112 connected to 198.19.254.2 port 5201",
                "[ ID] Interval           Transfer     Bitrate         Retr  Cwnd",
                "- - - - - - - - - - - - - - - - - - - - - - - - -",
                "iperf Done.",
                "iperf3: error - unable to connect to server: Connection refused",
                "",
            })
    void shouldSkipLinesThatAreNotReports(String line) {
        assertNull(IperfLine.parse(line));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"812.4 Mbits/sec, 812.4", "1.25 Gbits/sec, 1250.0", "950 Kbits/sec, 0.95"})
    void shouldConvertToMegabits(String rate, double megabits) {
        IperfLine parsed = IperfLine.parse("[  5]   0.00-1.00   sec   1.00 MBytes   " + rate + "    0   3.00 MBytes");
        assertNotNull(parsed);
        assertEquals(megabits, parsed.megabitsPerSecond(), 1e-9);
    }
}
