package app.garagesync.sync;

import app.garagesync.Json;
import app.garagesync.api.ApiException;
import app.garagesync.api.RequestBodies;
import app.garagesync.api.Responses;
import app.garagesync.auth.RequestIdentity;
import app.garagesync.store.BackupStore;
import app.garagesync.store.VersionInfo;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.camel.Exchange;

/** What the sync routes call: the seed's SyncStatus and the per-user automatic sync switch. */
public final class SyncApi {

    private static final long MAX_SETTINGS_BODY = 4096;

    private final BackupStore store;
    private final SyncSettings settings;
    private final RequestBodies bodies;

    public SyncApi(BackupStore store, SyncSettings settings, RequestBodies bodies) {
        this.store = store;
        this.settings = settings;
        this.bodies = bodies;
    }

    /** GET /api/sync/status: the seed's SyncStatus fields, then garage-sync's own. */
    public void status(Exchange exchange) {
        String user = exchange.getProperty(RequestIdentity.USER, String.class);
        VersionInfo latest = store.latest(user).orElse(null);
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("isEnabled", settings.isEnabled(user));
        s.put("lastSync", null);
        s.put("syncInProgress", false);
        s.put("error", null);
        s.put("totalRecords", latest == null ? 0 : latest.totalRecords());
        s.put("syncedRecords", 0);
        s.put("user", user);
        s.put("latestVersion", latest == null ? null : latest.id());
        s.put("lastBackup", latest == null ? null : latest.createdAt().toString());
        s.put("targets", List.of());
        Responses.json(exchange, 200, s);
    }

    /** GET /api/sync/settings. */
    public void getSettings(Exchange exchange) {
        String user = exchange.getProperty(RequestIdentity.USER, String.class);
        Responses.json(exchange, 200, Map.of("enabled", settings.isEnabled(user)));
    }

    /** PUT /api/sync/settings {"enabled": true|false}. */
    public void putSettings(Exchange exchange) {
        String user = exchange.getProperty(RequestIdentity.USER, String.class);
        byte[] body = bodies.json(exchange, MAX_SETTINGS_BODY);
        Object enabled;
        try {
            enabled = Json.readMap(body).get("enabled");
        } catch (IOException | ClassCastException e) {
            throw ApiException.badRequest("$: expected a JSON object like {\"enabled\": true}");
        }
        if (!(enabled instanceof Boolean on)) {
            throw ApiException.badRequest("enabled: must be true or false");
        }
        settings.setEnabled(user, on);
        exchange.setProperty("garagesync.syncSwitchedOn", on);
        Responses.json(exchange, 200, Map.of("enabled", on));
    }
}
