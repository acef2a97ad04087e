package app.garagesync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The operator's settings file as read before Camel starts: typos named, unreadable files refused. */
class OperatorPropertiesTest {

    private static final Set<String> KNOWN = OperatorProperties.builtInDefaults().stringPropertyNames();

    @Test
    void should_name_unknown_garagesync_keys_but_not_target_options_or_other_prefixes(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("application.properties");
        Files.writeString(file, String.join("\n",
                "garagesync.auth.mdoe = token",
                "garagesync.auth.mode = token",
                "garagesync.target.nas.type = dir",
                "garagesync.target.nas.path = /mnt/nas",
                "camel.server.port = 8092",
                "my.own.placeholder = x",
                ""));
        OperatorProperties settings = OperatorProperties.read(file);
        assertThat(settings.unknownKeys(KNOWN)).containsExactly("garagesync.auth.mdoe");
        assertThat(OperatorProperties.closest("garagesync.auth.mdoe", KNOWN)).isEqualTo(" did you mean garagesync.auth.mode?");
        assertThat(OperatorProperties.closest("garagesync.something-else-entirely", KNOWN)).isEmpty();
    }

    @Test
    void should_read_no_file_as_no_settings_and_refuse_one_it_cannot_read(@TempDir Path dir) throws Exception {
        assertThat(OperatorProperties.read(dir.resolve("absent.properties")).values()).isEmpty();
        Path folder = Files.createDirectories(dir.resolve("application.properties"));
        assertThatThrownBy(() -> OperatorProperties.read(folder))
                .hasMessageStartingWith("cannot read the settings file " + folder.toAbsolutePath());
    }

    @Test
    void every_documented_key_has_a_built_in_default() {
        assertThat(KNOWN).contains("garagesync.auth.mode", "camel.server.port", "garagesync.data-dir");
        assertThat(OperatorProperties.environmentName("garagesync.data-dir")).isEqualTo("GARAGESYNC_DATA_DIR");
    }
}
