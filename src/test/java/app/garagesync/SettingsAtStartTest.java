package app.garagesync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import app.garagesync.testing.RunningDaemon;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A garagesync.* value that does not parse stops the start with one line naming the key, the value and
 * what was expected, before anything is written to the data directory. The real daemon, in this JVM.
 */
class SettingsAtStartTest {

    @Test
    void should_name_the_key_when_a_number_is_not_one(@TempDir Path dir) {
        assertThat(startFailure(dir, "garagesync.store.zstd-level", "fast"))
                .isEqualTo("garagesync.store.zstd-level = 'fast': not a whole number");
        assertThat(dir.resolve("data")).doesNotExist();
    }

    @Test
    void should_name_the_key_when_a_duration_is_not_one(@TempDir Path dir) {
        assertThat(startFailure(dir, "garagesync.sync.redelivery.initial-delay", "soon"))
                .isEqualTo("garagesync.sync.redelivery.initial-delay = 'soon': not a duration (e.g. 5m, 30s, 500ms)");
    }

    @Test
    void should_name_the_key_when_a_time_zone_is_unknown(@TempDir Path dir) {
        assertThat(startFailure(dir, "garagesync.retention.time-zone", "Paris"))
                .isEqualTo("garagesync.retention.time-zone = 'Paris': not a time zone (e.g. Europe/Paris)");
    }

    @Test
    void should_refuse_a_switch_that_is_neither_true_nor_false(@TempDir Path dir) {
        // read as false before: an operator who wrote "yes" got sync switched off without a word
        assertThat(startFailure(dir, "garagesync.sync.default-enabled", "yes"))
                .isEqualTo("garagesync.sync.default-enabled = 'yes': not true or false");
    }

    /** The S3 store's keys and the S3 targets' attempt timeout are read with the others, not where they are used. */
    @Test
    void should_name_the_key_when_an_s3_setting_does_not_parse(@TempDir Path dir) {
        assertThat(startFailure(dir, "garagesync.store.type", "s3", "garagesync.store.s3.bucket", "garage",
                "garagesync.store.s3.max-attempts", "many"))
                .isEqualTo("garagesync.store.s3.max-attempts = 'many': not a whole number");
        assertThat(startFailure(dir, "garagesync.sync.s3.attempt-timeout", "soon"))
                .isEqualTo("garagesync.sync.s3.attempt-timeout = 'soon': not a duration (e.g. 5m, 30s, 500ms)");
    }

    /** A long staleness would let a replaced token open the door on other daemons for as long: refused, not clamped. */
    @Test
    void should_refuse_a_shared_cache_staleness_or_lease_out_of_bounds(@TempDir Path dir) {
        assertThat(startFailure(dir, "garagesync.shared.cache-ttl", "1d"))
                .isEqualTo("garagesync.shared.cache-ttl = '1d': must be between 0s and 5m");
        assertThat(startFailure(dir, "garagesync.sync.lease-duration", "0s"))
                .isEqualTo("garagesync.sync.lease-duration = '0s': must be between 1s and 1h");
    }

    @Test
    void should_refuse_a_merge_mode_other_than_merge_or_reject(@TempDir Path dir) {
        assertThat(startFailure(dir, "garagesync.merge.mode", "overwrite"))
                .isEqualTo("garagesync.merge.mode = 'overwrite': not merge or reject");
        assertThat(dir.resolve("data")).doesNotExist();
    }

    @Test
    void should_start_with_the_values_as_written_in_application_properties(@TempDir Path dir) throws Exception {
        try (RunningDaemon daemon = RunningDaemon.start(dir.resolve("data"), "garagesync.sync.default-enabled", " TRUE ")) {
            assertThat(daemon.http().get("/api/sync/status").body()).contains("\"isEnabled\":true");
        }
    }

    private static String startFailure(Path dir, String... keyValues) {
        Throwable failure = catchThrowable(() -> RunningDaemon.start(dir.resolve("data"), keyValues).close());
        assertThat(failure).as("the daemon started with %s", String.join(" ", keyValues)).isNotNull();
        // RunningDaemon wraps what Camel Main threw; the command line describes the latter
        return StartupFailure.describe(failure.getCause());
    }
}
