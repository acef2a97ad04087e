package app.garagesync.backup;

import static org.assertj.core.api.Assertions.assertThat;

import app.garagesync.api.ApiException;
import app.garagesync.testing.ReliabilityReport;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;

/**
 * Any bytes as a PATCH body: parsing refuses with an {@link ApiException} or gives a change-set, and a
 * change-set applied to a valid base is a valid backup (a stale PATCH is stored without being validated
 * whole). Nothing else may escape (it would be a 500).
 */
class ChangeSetFuzzTest {

    private static final BackupReader READER = new BackupReader(200, 1 << 20);
    private static final byte[] BASE = ("{\"timestamp\":\"2026-11-24T08:00:00.000Z\",\"version\":\"1.0\",\"garage\":{\"name\":\"Garage Dupré\"},"
            + "\"data\":{\"customers\":[{\"id\":\"c1\",\"name\":\"Élodie\"},{\"id\":\"c2\",\"name\":\"Jérôme\"}],"
            + "\"repairs\":[{\"id\":1,\"total\":19.90},{\"id\":2.5}],\"stock\":[],\"settings\":{\"currency\":\"EUR\"}}}")
            .getBytes(StandardCharsets.UTF_8);
    private static final AtomicLong EXECUTIONS = new AtomicLong();
    private static final AtomicLong APPLIED = new AtomicLong();

    @FuzzTest(maxDuration = "2m")
    void parse_and_apply_throw_only_api_exceptions(byte[] body) {
        EXECUTIONS.incrementAndGet();
        ChangeSet cs;
        try {
            cs = ChangeSet.parse(body, body.length, READER.partsFactory());
        } catch (ApiException refused) {
            assertThat(refused.status()).isEqualTo(400);
            return;
        }
        // a change-set read to the rules of validation, applied to a valid backup, is one: a stale PATCH
        // relies on it and is not validated whole (see MergeOntoLatest.writeBuilt)
        byte[] document = ChangeSetApplier.apply(BASE, cs).document();
        READER.read(document);
        APPLIED.incrementAndGet();
    }

    @AfterAll
    static void report() {
        ReliabilityReport.line("fuzz ChangeSet", "fuzz executions=" + EXECUTIONS.get(), "applied to a valid backup=" + APPLIED.get());
    }
}
