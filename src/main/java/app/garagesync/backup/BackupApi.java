package app.garagesync.backup;

import app.garagesync.api.ApiException;
import app.garagesync.api.DocumentResponse;
import app.garagesync.api.RequestBodies;
import app.garagesync.api.Responses;
import app.garagesync.auth.RequestIdentity;
import app.garagesync.ops.GarageMetrics;
import app.garagesync.store.BackupStore;
import app.garagesync.store.DamagedVersionException;
import app.garagesync.store.Incoming;
import app.garagesync.store.BackupSummary;
import app.garagesync.store.StaleBaseException;
import app.garagesync.store.StoreResult;
import app.garagesync.store.VersionInfo;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import org.apache.camel.Exchange;

/** What the backup routes call: store, read, list, export and import the caller's backups. */
public final class BackupApi {

    private final BackupStore store;
    private final BackupReader reader;
    private final RequestBodies bodies;
    private final GarageMetrics metrics;
    private final Clock clock;
    private final RepostShortcut reposts;
    private final Duration sendStall;

    public BackupApi(BackupStore store, BackupReader reader, RequestBodies bodies, GarageMetrics metrics, Clock clock,
                     Duration sendStall) {
        this.sendStall = sendStall;
        this.store = store;
        this.reader = reader;
        this.bodies = bodies;
        this.metrics = metrics;
        this.clock = clock;
        this.reposts = new RepostShortcut(reader);
    }

    /** POST /api/backup: 201 with the new version, or 200 {unchanged:true} when it equals the latest. */
    public void post(Exchange exchange) {
        Map<String, Object> answer = store(exchange);
        Responses.json(exchange, Boolean.TRUE.equals(answer.get("unchanged")) ? 200 : 201, answer);
    }

    /** POST /api/import: a backup file made the latest version, through the same validation. */
    public void importFile(Exchange exchange) {
        Map<String, Object> answer = store(exchange);
        answer.put("imported", !Boolean.TRUE.equals(answer.get("unchanged")));
        Responses.json(exchange, Boolean.TRUE.equals(answer.get("unchanged")) ? 200 : 201, answer);
    }

    /**
     * PATCH /api/backup: a change-set applied to {@code baseVersion}, which must be the latest (409
     * otherwise). The new document goes through the same validation as a full backup.
     */
    public void patch(Exchange exchange) {
        String user = user(exchange);
        RequestBodies.Body body = bodies.backup(exchange);
        long started = System.nanoTime();
        ChangeSet cs = ChangeSet.parse(body.array(), body.length(), reader.maxDepth());
        VersionInfo base = store.version(user, cs.baseVersion()).orElse(null);
        VersionInfo latest = store.latest(user).orElse(null);
        if (base == null || latest == null || latest.id() != base.id()) {
            throw conflict(cs.baseVersion(), latest == null ? null : latest.id());
        }
        ChangeSetApplier.Result applied = ChangeSetApplier.apply(store.read(user, base.id()), cs);
        byte[] doc = applied.document();
        Incoming incoming = store.incoming(user, doc, doc.length);
        BackupSummary summary = reader.read(doc);
        StoreResult result;
        try {
            result = store.putOnBase(user, base.id(), incoming, summary);
        } catch (StaleBaseException e) {
            throw conflict(cs.baseVersion(), e.latest());
        }
        newVersion(exchange, result);
        Map<String, Object> answer = answer(result, System.nanoTime() - started);
        answer.put("replaced", applied.replaced());
        answer.put("inserted", applied.inserted());
        answer.put("deleted", applied.deleted());
        Responses.json(exchange, result instanceof StoreResult.Unchanged ? 200 : 201, answer);
    }

    private static ApiException conflict(long base, Long latest) {
        return new ApiException(409, "conflict", "baseVersion " + base + " is not the latest version ("
                + (latest == null ? "none yet" : latest) + "): fetch the latest and send the changes again");
    }

    /** GET /api/backup[?version=N]: the backup exactly as it was sent, written out by this call. */
    public void get(Exchange exchange) {
        send(exchange, Map.of());
    }

    /** GET /api/export: the latest backup as a file download named like the seed's exports. */
    public void export(Exchange exchange) {
        String name = "garage-backup-" + LocalDate.now(clock.withZone(ZoneOffset.UTC)) + ".json";
        send(exchange, Map.of("Content-Disposition", "attachment; filename=\"" + name + "\""));
    }

    private void send(Exchange exchange, Map<String, String> headers) {
        String user = user(exchange);
        VersionInfo v = requested(exchange, user);
        Map<String, String> all = new LinkedHashMap<>(headers);
        all.put("X-Garage-Sync-Version", Long.toString(v.id()));
        // built (and checked whole) before the first byte goes out: a damaged version still gets its error
        metrics.sent(DocumentResponse.send(exchange, store.document(user, v.id()), all, sendStall).name());
    }

    /** GET /api/backup/versions: newest first. */
    public void versions(Exchange exchange) {
        String user = user(exchange);
        NavigableMap<Long, String> damaged = store.damaged(user);
        TreeMap<Long, Map<String, Object>> byId = new TreeMap<>();
        for (VersionInfo v : store.versions(user)) {
            byId.put(v.id(), describe(v));
        }
        // a damaged version is listed, flagged, never left out: the one before it would pass for the latest
        damaged.forEach((id, why) -> {
            Map<String, Object> m = byId.computeIfAbsent(id, k -> new LinkedHashMap<>(Map.of("id", k)));
            m.put("damaged", true);
            m.put("problem", why);
        });
        Responses.json(exchange, 200, Map.of("versions", new ArrayList<>(byId.descendingMap().values())));
    }

    private Map<String, Object> store(Exchange exchange) {
        String user = user(exchange);
        RequestBodies.Body json = bodies.backup(exchange);
        long started = System.nanoTime();
        if (reposts.remembers(user)) {
            VersionInfo latest = store.latest(user).orElse(null);
            if (latest != null && reposts.isRepost(user, latest.id(), json.array(), json.length())) {
                return answer(new StoreResult.Unchanged(latest), System.nanoTime() - started);
            }
        }
        // the store starts on its share of the work (on the other core, for a big backup) during validation
        Incoming incoming = store.incoming(user, json.array(), json.length());
        BackupSummary summary = reader.read(json.array(), json.length());
        StoreResult result = store.put(user, incoming, summary);
        reposts.remember(user, result.version().id(), summary);
        newVersion(exchange, result);
        return answer(result, System.nanoTime() - started);
    }

    /** Tells the route's retention step which version this request stored, if any. */
    private static void newVersion(Exchange exchange, StoreResult result) {
        if (result instanceof StoreResult.Stored) {
            exchange.setProperty(Retention.NEW_VERSION, result.version().id());
        }
    }

    private Map<String, Object> answer(StoreResult result, long nanos) {
        VersionInfo v = result.version();
        Map<String, Object> answer = new LinkedHashMap<>();
        if (result instanceof StoreResult.Unchanged) {
            metrics.unchanged(nanos);
            answer.put("unchanged", true);
        } else {
            metrics.stored(v.size(), v.storedSize(), nanos);
        }
        answer.put("version", v.id());
        answer.put("timestamp", v.createdAt().toString());
        answer.put("totalRecords", v.totalRecords());
        answer.put("bytes", v.size());
        answer.put("storedBytes", v.storedSize());
        return answer;
    }

    private VersionInfo requested(Exchange exchange, String user) {
        String param = exchange.getMessage().getHeader("version", String.class);
        NavigableMap<Long, String> damaged = store.damaged(user);
        if (param == null || param.isBlank()) {
            VersionInfo latest = store.latest(user).orElse(null);
            if (!damaged.isEmpty() && (latest == null || damaged.lastKey() >= latest.id())) {
                // never the version before it with a 200: that would pass for the user's latest backup
                throw damagedError(user, damaged.lastKey(), damaged);
            }
            if (latest == null) {
                throw ApiException.notFound("no backup stored yet for user '" + user + "'");
            }
            return latest;
        }
        long id;
        // ASCII digits only: Long.parseLong also takes "+1" and a full-width "１", and trim() took "1 "
        if (!param.matches("[0-9]{1,18}")) {
            throw ApiException.badRequest("version: must be a version number (digits only), got '" + abbreviate(param) + "'");
        }
        id = Long.parseLong(param);
        if (damaged.containsKey(id)) {
            throw damagedError(user, id, damaged);
        }
        return store.version(user, id).orElseThrow(() -> ApiException.notFound("no version " + id + " for user '" + user + "'"));
    }

    private DamagedVersionException damagedError(String user, long id, NavigableMap<Long, String> damaged) {
        Long intact = store.versions(user).stream().map(VersionInfo::id).filter(v -> !damaged.containsKey(v))
                .findFirst().orElse(null);
        return new DamagedVersionException(user, id, damaged.get(id), intact, null);
    }

    static Map<String, Object> describe(VersionInfo v) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", v.id());
        m.put("timestamp", v.createdAt().toString());
        m.put("backupTimestamp", v.backupTimestamp());
        m.put("totalRecords", v.totalRecords());
        m.put("records", v.recordsByCollection());
        m.put("size", v.size());
        m.put("storedSize", v.storedSize());
        return m;
    }

    private static String user(Exchange exchange) {
        return exchange.getProperty(RequestIdentity.USER, String.class);
    }

    private static String abbreviate(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "..." : s;
    }
}
