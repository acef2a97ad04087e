package app.garagesync.backup;

import static org.assertj.core.api.Assertions.assertThat;

import app.garagesync.api.ApiException;
import app.garagesync.store.BackupSummary;
import app.garagesync.store.delta.LayoutScanner;
import app.garagesync.testing.ReliabilityReport;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;

/**
 * Any bytes given to the backup validator: it refuses with an {@link ApiException} (a 400) or accepts,
 * never anything else (which would be a 500). What it accepts, the layout scanner splits and puts back
 * byte for byte. Without JAZZER_FUZZ this replays the seeds under BackupReaderFuzzTestInputs; with it,
 * coverage-guided fuzzing for the profile's duration.
 */
class BackupReaderFuzzTest {

    private static final BackupReader READER = new BackupReader(200, 1 << 20);
    private static final AtomicLong EXECUTIONS = new AtomicLong();
    private static final AtomicLong ACCEPTED = new AtomicLong();

    @FuzzTest(maxDuration = "2m")
    void refuses_with_an_api_exception_or_accepts_and_scans_back_exactly(byte[] body) {
        EXECUTIONS.incrementAndGet();
        BackupSummary summary;
        try {
            summary = READER.read(body);
        } catch (ApiException refused) {
            assertThat(refused.status()).isEqualTo(400);
            return;
        }
        ACCEPTED.incrementAndGet();
        assertThat(summary.size()).isEqualTo(body.length);
        assertThat(LayoutScanner.scan(body, body.length).materialize()).isEqualTo(body);
    }

    @AfterAll
    static void report() {
        ReliabilityReport.line("fuzz BackupReader", "fuzz executions=" + EXECUTIONS.get(), "accepted=" + ACCEPTED.get());
    }
}
