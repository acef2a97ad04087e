package app.garagesync.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import app.garagesync.api.ApiException;
import app.garagesync.backup.BackupReader;
import app.garagesync.ops.StoreVerifier;
import app.garagesync.testing.EditableBackup;
import app.garagesync.testing.EditableBackup.Doc;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Big backups are scanned and compressed while they are validated: what is stored must be exactly what
 * the inline path stores, whatever the store guessed ahead (whole or delta), and a document that fails
 * validation leaves nothing behind.
 */
class IncomingTest {

    private final BackupReader reader = new BackupReader(200, Integer.MAX_VALUE);

    private static VersionStore store(Path dir, int maxChain) {
        return new VersionStore(new FileBlobStore(dir), Clock.systemUTC(), 1, new VersionStore.StoragePolicy(1.0, maxChain));
    }

    private StoreResult post(VersionStore s, String user, byte[] json) {
        Incoming incoming = s.incoming(user, json, json.length);
        BackupSummary summary = reader.read(json, json.length);
        return s.put(user, incoming, summary);
    }

    @Test
    void versions_prepared_ahead_read_back_exactly_as_checkpoints_and_deltas(@TempDir Path dir) {
        VersionStore s = store(dir, 2);
        Random r = new Random(3);
        Doc doc = EditableBackup.initial(r, 4_000);
        List<byte[]> posted = new ArrayList<>();
        for (int v = 0; v < 5; v++) {
            byte[] json = doc.bytes();
            assertThat(json.length).isGreaterThan(Incoming.AHEAD_MIN_SIZE);
            assertThat(post(s, "big", json)).isInstanceOf(StoreResult.Stored.class);
            posted.add(json);
            for (int k = 0; k < 5; k++) {
                EditableBackup.edit(doc, r);
            }
        }
        // all five went through the helper thread: a first version, deltas, and a checkpoint forced by the chain
        assertThat(s.preparedAhead()).isEqualTo(5);
        for (VersionStore reopened : List.of(s, store(dir, 2))) {
            for (int v = 1; v <= posted.size(); v++) {
                assertThat(reopened.read("big", v)).as("version %d", v).isEqualTo(posted.get(v - 1));
            }
        }
        StoreVerifier.Report report = new StoreVerifier(s, reader).verify(List.of("big"));
        assertThat(report.problems()).isEmpty();
        assertThat(report.versions()).isEqualTo(5);
    }

    @Test
    void a_big_document_that_fails_validation_stores_nothing(@TempDir Path dir) {
        VersionStore s = store(dir, 10);
        byte[] valid = EditableBackup.initial(new Random(5), 4_000).bytes();
        byte[] broken = Arrays.copyOf(valid, valid.length - 3); // truncated: not JSON any more
        Incoming incoming = s.incoming("u", broken, broken.length);
        assertThatThrownBy(() -> reader.read(broken, broken.length)).isInstanceOf(ApiException.class);
        assertThat(s.versions("u")).isEmpty();
        // the helper thread is free again for the next one, which is stored whole and exact
        assertThat(post(s, "u", valid)).isInstanceOf(StoreResult.Stored.class);
        assertThat(s.read("u", 1)).isEqualTo(valid);
        assertThat(incoming).isNotNull();
    }

    @Test
    void two_big_backups_at_once_are_both_stored_exactly(@TempDir Path dir) throws Exception {
        VersionStore s = store(dir, 10);
        byte[] a = EditableBackup.initial(new Random(6), 4_000).bytes();
        byte[] b = EditableBackup.initial(new Random(7), 4_000).bytes();
        // one of them may find the helper busy and be prepared inline: both must land whole
        CompletableFuture<StoreResult> first = CompletableFuture.supplyAsync(() -> post(s, "a", a));
        StoreResult second = post(s, "b", b);
        assertThat(first.get()).isInstanceOf(StoreResult.Stored.class);
        assertThat(second).isInstanceOf(StoreResult.Stored.class);
        assertThat(s.read("a", 1)).isEqualTo(a);
        assertThat(s.read("b", 1)).isEqualTo(b);
    }
}
