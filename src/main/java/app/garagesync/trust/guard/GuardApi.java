package app.garagesync.trust.guard;

import app.garagesync.api.ApiException;
import app.garagesync.api.Responses;
import app.garagesync.auth.RequestIdentity;
import app.garagesync.store.BackupStore;
import app.garagesync.trust.VersionParam;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.camel.Exchange;

/** What the guard's route calls: the owner confirming that a flagged version's deletions were meant. */
public final class GuardApi {

    private final BackupStore store;
    private final MassDeletionGuard guard;

    public GuardApi(BackupStore store, MassDeletionGuard guard) {
        this.store = store;
        this.guard = guard;
    }

    /** POST /api/backup/versions/{id}/confirm: 200 with the anomaly, now confirmed; 404 when not flagged. */
    public void confirm(Exchange exchange) {
        String user = exchange.getProperty(RequestIdentity.USER, String.class);
        long version = VersionParam.of(exchange);
        if (store.version(user, version).isEmpty()) {
            throw ApiException.notFound("no version " + version + " among your versions");
        }
        Anomaly confirmed = guard.confirm(user, version).orElseThrow(() -> ApiException.notFound(
                "version " + version + " is not flagged by the guard: there is nothing to confirm"));
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("version", version);
        answer.put("anomaly", confirmed.toMap());
        answer.put("heldOffsite", guard.heldFrom(user).isPresent());
        Responses.json(exchange, 200, answer);
    }
}
