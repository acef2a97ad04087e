package app.garagesync.store.delta;

import static org.assertj.core.api.Assertions.assertThat;

import app.garagesync.api.ApiException;
import app.garagesync.backup.BackupReader;
import app.garagesync.testing.ReliabilityReport;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;

/**
 * Two documents in one input, split at the first NUL byte (never part of valid JSON). When both are
 * valid backups, the delta from the first to the second, applied to the first, gives the second byte for
 * byte: a delta that is wrong even once would be a version read back wrong.
 */
class DeltaCodecFuzzTest {

    private static final BackupReader READER = new BackupReader(200, 1 << 20);
    private static final AtomicLong EXECUTIONS = new AtomicLong();
    private static final AtomicLong PAIRS = new AtomicLong();

    @FuzzTest(maxDuration = "2m")
    void delta_of_two_valid_backups_rebuilds_the_second_exactly(byte[] input) {
        EXECUTIONS.incrementAndGet();
        int nul = indexOf(input, (byte) 0);
        if (nul < 0) {
            return;
        }
        byte[] parent = Arrays.copyOf(input, nul);
        byte[] child = Arrays.copyOfRange(input, nul + 1, input.length);
        try {
            READER.read(parent);
            READER.read(child);
        } catch (ApiException notBothValid) {
            return;
        }
        PAIRS.incrementAndGet();
        Layout p = LayoutScanner.scan(parent, parent.length);
        Layout c = LayoutScanner.scan(child, child.length);
        assertThat(p.materialize()).isEqualTo(parent);
        assertThat(c.materialize()).isEqualTo(child);
        assertThat(DeltaCodec.apply(p, DeltaCodec.compute(p, c)).materialize()).isEqualTo(child);
    }

    private static int indexOf(byte[] b, byte v) {
        for (int i = 0; i < b.length; i++) {
            if (b[i] == v) {
                return i;
            }
        }
        return -1;
    }

    @AfterAll
    static void report() {
        ReliabilityReport.line("fuzz LayoutScanner+DeltaCodec", "fuzz executions=" + EXECUTIONS.get(), "valid pairs=" + PAIRS.get());
    }
}
