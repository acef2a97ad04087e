package app.garagesync.sync;

import static org.assertj.core.api.Assertions.assertThat;

import app.garagesync.testing.Http;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class HttpTargetSyncTest extends SyncContract {

    @Override
    TargetUnderTest target(Path base) throws Exception {
        return new HttpTarget(base);
    }

    @Test
    void should_refuse_replicas_without_the_token_or_with_a_bad_key() {
        Http receiver = ((HttpTarget) target).receiver().http();
        String key = "/api/replica?key=users/alice/index.json";
        assertThat(receiver.putJson(key, "{}").status()).isEqualTo(401);
        assertThat(receiver.with("Authorization", "Bearer wrong").putJson(key, "{}").status()).isEqualTo(401);
        Http authorized = receiver.with("Authorization", "Bearer " + HttpTarget.TOKEN);
        assertThat(authorized.putJson("/api/replica?key=users/../etc/passwd", "{}").status()).isEqualTo(400);
        assertThat(authorized.putJson("/api/replica?key=users/alice/versions/1.json", "{}").status()).isEqualTo(400);
        assertThat(authorized.get(key).status()).isEqualTo(404);
        assertThat(authorized.putJson(key, "{\"a\":1}").status()).isEqualTo(200);
        assertThat(authorized.get(key).body()).isEqualTo("{\"a\":1}");
        Http.Response deleted = authorized.send(authorized.builder(key).DELETE());
        assertThat(deleted.status()).isEqualTo(200);
        assertThat(deleted.body()).contains("\"deleted\":true");
        assertThat(authorized.get(key).status()).isEqualTo(404);
        // deleting again is harmless, and the same checks guard it
        assertThat(authorized.send(authorized.builder(key).DELETE()).body()).contains("\"deleted\":false");
        assertThat(receiver.send(receiver.builder(key).DELETE()).status()).isEqualTo(401);
        assertThat(authorized.send(authorized.builder("/api/replica?key=users/alice/../../x").DELETE()).status()).isEqualTo(400);
    }
}
