package app.garagesync.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import app.garagesync.crypto.OffsiteCipher;
import app.garagesync.testing.Backups;
import app.garagesync.testing.Http;
import app.garagesync.testing.RunningDaemon;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** With garagesync.encryption.key-file set, no plaintext reaches the bucket; restore decrypts, a wrong key fails. */
class EncryptedTargetTest {

    @TempDir
    Path dir;
    final List<RunningDaemon> daemons = new ArrayList<>();
    S3Target s3;

    @AfterEach
    void stop() throws Exception {
        daemons.forEach(RunningDaemon::close);
        if (s3 != null) {
            s3.close();
        }
    }

    RunningDaemon daemon(String data, Path key) {
        List<String> p = new ArrayList<>(List.of("garagesync.sync.interval", "200",
                "garagesync.sync.redelivery.max-attempts", "2", "garagesync.sync.redelivery.initial-delay", "10ms",
                "garagesync.sync.redelivery.backoff-multiplier", "2", "garagesync.sync.redelivery.max-delay", "20ms",
                "garagesync.encryption.key-file", key.toString()));
        p.addAll(List.of(s3.properties("vault")));
        RunningDaemon d = RunningDaemon.start(dir.resolve(data), p.toArray(String[]::new));
        daemons.add(d);
        return d;
    }

    @Test
    void only_ciphertext_reaches_the_target_and_restore_needs_the_right_key() throws Exception {
        s3 = new S3Target(dir);
        Path key = dir.resolve("offsite.key");
        Path otherKey = dir.resolve("other.key");
        OffsiteCipher.newKeyFile(key);
        OffsiteCipher.newKeyFile(otherKey);

        RunningDaemon first = daemon("first", key);
        Http http = first.http().as("dupre");
        http.putJson("/api/sync/settings", "{\"enabled\":true}");
        for (int i = 1; i <= 3; i++) {
            assertThat(http.postJson("/api/backup", Backups.small(i)).status()).isEqualTo(201);
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> s3.read(RemoteLayout.indexKey("dupre")) != null
                && new String(http.get("/api/sync/status").body()).contains("\"pendingVersions\":0"));
        Map<String, String> objects = s3.snapshot();
        assertThat(objects).isNotEmpty();
        objects.remove("#puts");
        assertThat(objects).containsKeys(RemoteLayout.objectKey("dupre", 1, 0), RemoteLayout.indexKey("dupre"));
        // later versions travel as deltas, sealed like the rest
        assertThat(objects.keySet()).anyMatch(k -> k.matches("users/dupre/versions/\\d{10}-\\d{10}\\.gsv"));
        for (String objectKey : objects.keySet()) {
            String stored = new String(s3.read(objectKey), StandardCharsets.ISO_8859_1);
            String storedUtf8 = new String(s3.read(objectKey), StandardCharsets.UTF_8);
            assertThat(storedUtf8).as(objectKey).doesNotContain("Élodie", "Garage Dupré", "customers", "\"id\"", "sha256", "GSV1", "parent");
            assertThat(stored).as(objectKey).doesNotContain("customers", "contentHash");
        }
        first.close();
        daemons.remove(first);

        RunningDaemon wrong = daemon("wrong", otherKey);
        Http.Response refused = wrong.http().as("dupre").postJson("/api/restore", "{\"target\":\"vault\"}");
        assertThat(refused.status()).isEqualTo(502);
        assertThat(refused.body()).contains("\"error\":\"undecryptable\"").contains("cannot decrypt");
        assertThat(wrong.http().as("dupre").get("/api/backup").status()).isEqualTo(404);

        RunningDaemon fresh = daemon("fresh", key);
        Http again = fresh.http().as("dupre");
        Http.Response restored = again.postJson("/api/restore", "{\"target\":\"vault\"}");
        assertThat(restored.status()).as(restored.toString()).isEqualTo(200);
        for (int i = 1; i <= 3; i++) {
            assertThat(again.get("/api/backup?version=" + i).body()).isEqualTo(Backups.small(i));
        }
    }
}
