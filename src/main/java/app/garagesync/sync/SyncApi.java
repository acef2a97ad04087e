package app.garagesync.sync;

import app.garagesync.Json;
import app.garagesync.api.ApiException;
import app.garagesync.api.RequestBodies;
import app.garagesync.api.Responses;
import app.garagesync.auth.RequestIdentity;
import app.garagesync.store.BackupStore;
import app.garagesync.store.VersionInfo;
import app.garagesync.offsite.TargetCatalog;
import app.garagesync.offsite.TargetConfig;
import app.garagesync.trust.guard.Anomaly;
import app.garagesync.trust.guard.MassDeletionGuard;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.camel.Exchange;

/** What the sync routes call: the seed's SyncStatus, the per-user automatic sync switch, sync now, history. */
public final class SyncApi {

    private static final long MAX_SETTINGS_BODY = 4096;

    private final BackupStore store;
    private final SyncSettings settings;
    private final RequestBodies bodies;
    private final TargetCatalog targets;
    private final TargetLedger ledger;
    private final SpoolFolder spool;
    private final SyncBoard board;
    private final MassDeletionGuard guard;

    public SyncApi(BackupStore store, SyncSettings settings, RequestBodies bodies, TargetCatalog targets,
                   TargetLedger ledger, SpoolFolder spool, SyncBoard board, MassDeletionGuard guard) {
        this.guard = guard;
        this.store = store;
        this.settings = settings;
        this.bodies = bodies;
        this.targets = targets;
        this.ledger = ledger;
        this.spool = spool;
        this.board = board;
    }

    /** GET /api/sync/status: the seed's SyncStatus fields, then garage-sync's own. */
    public void status(Exchange exchange) {
        String user = exchange.getProperty(RequestIdentity.USER, String.class);
        VersionInfo latest = store.latest(user).orElse(null);
        long latestId = latest == null ? 0 : latest.id();
        List<Map<String, Object>> perTarget = new ArrayList<>();
        boolean allUpToDate = true;
        Instant oldestSync = null;
        Instant newestSync = null;
        boolean someNeverSynced = false;
        long confirmedEverywhere = latestId;
        String error = null;
        Instant errorAt = null;
        long waitingMost = 0;
        for (TargetConfig t : targets.all()) {
            TargetLedger.Mark mark = ledger.mark(t.name(), user);
            List<Long> spooled = spool.list(t.name()).stream().filter(f -> f.user().equals(user))
                    .map(SpoolFolder.SpoolFile::version).sorted().toList();
            // the versions the target's index lists are there for a restore; a spooled one waits for the drain
            Set<Long> listed = mark.listedIds();
            long pending = store.versions(user).stream()
                    .filter(v -> !listed.contains(v.id()) && !spooled.contains(v.id())).count();
            long confirmed = store.versions(user).stream().map(VersionInfo::id).filter(listed::contains)
                    .max(Long::compare).orElse(0L);
            confirmedEverywhere = Math.min(confirmedEverywhere, confirmed);
            allUpToDate &= pending == 0 && spooled.isEmpty();
            if (mark.syncedAt() == null) {
                someNeverSynced = true;
            } else {
                oldestSync = oldestSync == null || mark.syncedAt().isBefore(oldestSync) ? mark.syncedAt() : oldestSync;
                newestSync = newestSync == null || mark.syncedAt().isAfter(newestSync) ? mark.syncedAt() : newestSync;
            }
            SyncBoard.TargetState state = board.target(t.name());
            if (state.state != SyncBoard.State.ok && state.lastError != null
                    && (errorAt == null || state.lastErrorAt.isAfter(errorAt))) {
                error = "target " + t.name() + ": " + state.lastError;
                errorAt = state.lastErrorAt;
            }
            Map<String, Object> ts = new LinkedHashMap<>();
            ts.put("name", t.name());
            ts.put("type", t.type());
            ts.put("state", state.state.name());
            ts.put("pendingVersions", pending);
            ts.put("spooledFiles", spooled.size());
            ts.put("lastSync", mark.syncedAt() == null ? null : mark.syncedAt().toString());
            ts.put("lastSuccess", state.lastSuccess == null ? null : state.lastSuccess.toString());
            ts.put("lastError", state.lastError);
            ts.put("lastErrorAt", state.lastErrorAt == null ? null : state.lastErrorAt.toString());
            // what the console puts in words: the versions not yet there whichever way they wait (a
            // version spooled after its retries is no longer "pending" but is no more off-site for that),
            // and why the target refuses as a code, the raw text beside it as the technical detail
            long waiting = pending + spooled.size();
            waitingMost = Math.max(waitingMost, waiting);
            boolean troubled = state.state != SyncBoard.State.ok && state.lastError != null;
            ts.put("waitingVersions", waiting);
            ts.put("cause", troubled ? (state.lastCause == null ? FailureCause.other : state.lastCause).name() : null);
            ts.put("detail", troubled ? state.lastError : null);
            perTarget.add(ts);
        }
        // the last time every target held everything: while one lags, its own last sync bounds it
        VersionInfo synced = confirmedEverywhere <= 0 ? null : store.version(user, confirmedEverywhere).orElse(null);
        // and none while no version is on every target: a sync of an empty store copied nothing off-site
        Instant lastSync = perTarget.isEmpty() || someNeverSynced || synced == null ? null
                : allUpToDate ? newestSync : oldestSync;
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("isEnabled", settings.isEnabled(user));
        s.put("lastSync", lastSync == null ? null : lastSync.toString());
        s.put("syncInProgress", board.inProgress(user));
        s.put("error", error);
        s.put("totalRecords", latest == null ? 0 : latest.totalRecords());
        s.put("syncedRecords", perTarget.isEmpty() || synced == null ? 0 : synced.totalRecords());
        s.put("user", user);
        s.put("latestVersion", latest == null ? null : latest.id());
        s.put("lastBackup", latest == null ? null : latest.createdAt().toString());
        s.put("targets", perTarget);
        s.put("offsite", offsite(perTarget.isEmpty(), error != null, waitingMost));
        s.put("waitingVersions", waitingMost);
        // the owner is told here too: the console shows this status
        List<Long> damaged = new ArrayList<>(store.damaged(user).keySet());
        s.put("damagedVersions", damaged);
        if (!damaged.isEmpty() && error == null) {
            s.put("error", "version " + damaged.get(damaged.size() - 1) + " of your backups is damaged on the server;"
                    + " your next backup is stored whole, and the damaged one can be restored from a copy");
        }
        anomaly(user, s);
        Responses.json(exchange, 200, s);
    }

    /**
     * The mass-deletion guard's newest unconfirmed flag ({@code anomaly}, null when none), and the status
     * error when nothing graver is shown: the console turns it into a red banner with a confirm button.
     */
    private void anomaly(String user, Map<String, Object> s) {
        Anomaly a = guard.unconfirmed(user).orElse(null);
        if (a == null) {
            s.put("anomaly", null);
            return;
        }
        boolean held = guard.heldFrom(user).isPresent();
        Map<String, Object> m = a.toMap();
        m.put("held", held);
        s.put("anomaly", m);
        if (s.get("error") == null) {
            s.put("error", a.describe() + (held ? "; it and later versions are not sent off-site" : "")
                    + " until you confirm the deletions were meant (POST /api/backup/versions/" + a.version()
                    + "/confirm); if they were not, restore version " + a.comparedWith());
        }
    }

    /**
     * Where the user's versions stand off-site, in one word: {@code none} (no target configured: they
     * are on this server only), {@code failing} (a target refuses), {@code waiting} (versions not yet on
     * every target), {@code ok} (every target holds every version).
     */
    static String offsite(boolean noTarget, boolean failing, long waiting) {
        if (noTarget) {
            return "none";
        }
        return failing ? "failing" : waiting > 0 ? "waiting" : "ok";
    }

    /**
     * POST /api/sync: answered at once; the sync-now flow runs the sync in the background. With no
     * target configured nothing is sent, and the answer says so ({@code accepted: false}, 200 rather
     * than 202: nothing is under way) instead of letting the console announce a sync.
     */
    public void syncNow(Exchange exchange) {
        String user = exchange.getProperty(RequestIdentity.USER, String.class);
        boolean none = targets.all().isEmpty();
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("accepted", !none);
        answer.put("user", user);
        answer.put("targets", targets.all().stream().map(TargetConfig::name).toList());
        answer.put("offsite", none ? "none" : "configured");
        if (none) {
            answer.put("message", "no off-site target configured: the versions stay on this server only");
        }
        Responses.json(exchange, none ? 200 : 202, answer);
    }

    /** GET /api/sync/history[?limit=N]: the caller's last sync attempts, newest first. */
    public void history(Exchange exchange) {
        String user = exchange.getProperty(RequestIdentity.USER, String.class);
        String param = exchange.getMessage().getHeader("limit", String.class);
        int limit = 50;
        if (param != null && !param.isBlank()) {
            try {
                limit = Integer.parseInt(param.trim());
            } catch (NumberFormatException e) {
                limit = -1;
            }
            if (limit < 1 || limit > 200) {
                throw ApiException.badRequest("limit: must be a number from 1 to 200");
            }
        }
        Responses.json(exchange, 200, Map.of("history", board.history(user, limit)));
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
            enabled = Json.readClientMap(body).get("enabled");
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw ApiException.badRequest("$: " + e.getOriginalMessage() + "; expected a JSON object like {\"enabled\": true}");
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
