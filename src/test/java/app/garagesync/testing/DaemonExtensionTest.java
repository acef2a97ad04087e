package app.garagesync.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * On an instance field the extension gives each test a daemon of its own, and removes the data directory
 * once that daemon has stopped (the static-field case is what most daemon tests use).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DaemonExtensionTest {

    static Path firstTestsDataDir;

    @RegisterExtension
    final DaemonExtension daemon = new DaemonExtension("garagesync.max-backup-size", "1KB");

    @Test
    @Order(1)
    void should_start_a_daemon_with_the_given_properties_on_a_fresh_data_directory() {
        firstTestsDataDir = daemon.dataDir();
        Http http = daemon.http().as("first");
        assertThat(http.get("/api/health").status()).isEqualTo(200);
        Http.Response big = http.postJson("/api/backup", Backups.small(1).replace("ligne 1", "x".repeat(2000)));
        assertThat(big.status()).as(big.toString()).isEqualTo(413);
        assertThat(http.postJson("/api/backup", Backups.small(1)).status()).isEqualTo(201);
    }

    @Test
    @Order(2)
    void should_give_the_next_test_its_own_daemon_and_remove_the_last_ones_data() {
        assertThat(firstTestsDataDir).isNotNull();
        assertThat(Files.exists(firstTestsDataDir)).isFalse();
        assertThat(daemon.dataDir()).isNotEqualTo(firstTestsDataDir);
        assertThat(daemon.http().as("first").get("/api/backup").status()).isEqualTo(404);
    }
}
