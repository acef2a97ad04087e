package app.garagesync.store.delta;

import static org.assertj.core.api.Assertions.assertThat;

import app.garagesync.testing.ReliabilityReport;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The scanner runs on a big backup while it is still being validated (see {@code store.Incoming}), so it
 * meets bytes that are not JSON at all. Whatever they are, it must end: return a layout or throw, never
 * spin (a spinning scan would hold the store's helper thread and a core for good).
 */
class LayoutScannerFuzzTest {

    private static final AtomicLong EXECUTIONS = new AtomicLong();

    @FuzzTest(maxDuration = "1m")
    void ends_on_any_bytes(byte[] input) {
        EXECUTIONS.incrementAndGet();
        endsOn(input);
    }

    /** Inputs that once made it loop: a closing brace where an entity or value was expected, and truncations. */
    @Test
    @Timeout(30) // a guard against a hang, not a measure of speed
    void ends_on_hostile_shapes() {
        String[] shapes = {
            "{\"data\":{\"customers\":[}]}}", "{\"data\":{\"customers\":[}", "{\"data\":{\"c\":[1,}", "{\"data\":{\"c\":[{\"id\":}]}}",
            "{\"data\":{\"c\":[{\"id\"", "{\"data\":{\"c\":[\"", "{\"data\":{\"c\":[[", "{\"data\":{\"c\":[{", "{\"data\":{",
            "{\"data\":", "{\"data\"", "{\"", "{", "}", "]", "[}", "{}}", "{\"a\":}}", "{\"data\":{\"c\":[},},}]}}",
            "{\"data\":{\"c\":[\\", "{\"data\":{\"c\":[ } } } ] ] ]", "",
        };
        for (String s : shapes) {
            endsOn(s.getBytes(StandardCharsets.UTF_8));
        }
    }

    private static void endsOn(byte[] input) {
        try {
            Layout layout = LayoutScanner.scan(input, input.length);
            assertThat(layout).isNotNull();
        } catch (IndexOutOfBoundsException | IllegalArgumentException | IllegalStateException thrownIsFine) {
            // ending with an exception is allowed: the result of a scan of invalid bytes is never used
        }
    }

    @AfterAll
    static void report() {
        ReliabilityReport.line("fuzz LayoutScanner on any bytes", "fuzz executions=" + EXECUTIONS.get());
    }
}
