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
import app.garagesync.store.StoreResult;
import app.garagesync.store.VersionInfo;
import app.garagesync.store.delta.Layout;
import app.garagesync.trust.guard.MassDeletionGuard;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.OptionalLong;
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
    private final MergeOntoLatest merges;
    private final MassDeletionGuard guard;
    private final EarlyValidation earlyValidation;

    public BackupApi(BackupStore store, BackupReader reader, RequestBodies bodies, GarageMetrics metrics, Clock clock,
                     Duration sendStall, MergeMode mergeMode, MassDeletionGuard guard, EarlyValidation earlyValidation) {
        this.guard = guard;
        this.earlyValidation = earlyValidation;
        this.sendStall = sendStall;
        this.merges = new MergeOntoLatest(store, reader, mergeMode);
        this.store = store;
        this.reader = reader;
        this.bodies = bodies;
        this.metrics = metrics;
        this.clock = clock;
        this.reposts = new RepostShortcut(reader);
    }

    /**
     * POST /api/backup: 201 with the new version, or 200 {unchanged:true} when it equals the latest. With
     * {@code If-Match: "N"} the body is a device's whole state edited from version N, merged onto the latest
     * when others wrote since (see {@link MergeOntoLatest}).
     */
    public void post(Exchange exchange) {
        OptionalLong base = IfMatch.baseVersion(exchange.getMessage().getHeader(IfMatch.HEADER));
        Map<String, Object> answer = base.isPresent() ? storeOnBase(exchange, base.getAsLong()) : store(exchange);
        Responses.json(exchange, Boolean.TRUE.equals(answer.get("unchanged")) ? 200 : 201, answer);
    }

    /** POST /api/import: a backup file made the latest version, through the same validation. */
    public void importFile(Exchange exchange) {
        Map<String, Object> answer = store(exchange);
        answer.put("imported", !Boolean.TRUE.equals(answer.get("unchanged")));
        Responses.json(exchange, Boolean.TRUE.equals(answer.get("unchanged")) ? 200 : 201, answer);
    }

    /**
     * PATCH /api/backup: a change-set applied to {@code baseVersion}. The new document goes through the same
     * validation as a full backup. When others wrote since {@code baseVersion}, the device's state (the
     * change-set applied to its base) is merged onto the latest, as a POST with If-Match is.
     */
    public void patch(Exchange exchange) {
        String user = user(exchange);
        RequestBodies.Body body = bodies.backup(exchange);
        long started = System.nanoTime();
        ChangeSet cs = ChangeSet.parse(body.array(), body.length(), reader.partsFactory());
        VersionInfo base = store.version(user, cs.baseVersion()).orElse(null);
        VersionInfo latest = store.latest(user).orElse(null);
        if (base == null || latest == null) {
            throw MergeOntoLatest.baseGone(cs.baseVersion(), latest);
        }
        // the base as the store's layout of it when it keeps one (no 50 MB read and parse), else its bytes,
        // then held by the merge alone, which lets go of them once merged (see KnownBase)
        Layout baseLayout = baseLayout(user, base, latest);
        MergeOntoLatest.KnownBase baseDoc = new MergeOntoLatest.KnownBase(baseLayout == null ? readBase(user, base, latest) : null);
        ChangeSetApplier.Result applied = baseLayout != null ? ChangeSetApplier.apply(baseLayout, cs)
                : ChangeSetApplier.apply(baseDoc.bytes(), cs);
        byte[] doc = applied.buffer();
        int length = applied.length();
        boolean onLatest = latest.id() == base.id();
        Incoming early = onLatest ? store.incoming(user, doc, length) : null;
        // on a stale base the merged document is stored, known valid from its parts (see MergeOntoLatest)
        BackupSummary summary = onLatest ? reader.read(doc, length) : null;
        MergeOntoLatest.Outcome outcome = merges.writeBuilt(user, base.id(), baseDoc, doc, length, applied.layout(), summary, early);
        newVersion(exchange, outcome.result());
        Map<String, Object> answer = answer(outcome, System.nanoTime() - started);
        answer.put("replaced", applied.replaced());
        answer.put("inserted", applied.inserted());
        answer.put("deleted", applied.deleted());
        Responses.json(exchange, outcome.result() instanceof StoreResult.Unchanged ? 200 : 201, answer);
    }

    private byte[] readBase(String user, VersionInfo base, VersionInfo latest) {
        try {
            return store.read(user, base.id());
        } catch (DamagedVersionException e) {
            throw baseDamaged(e, base, latest);
        }
    }

    private Layout baseLayout(String user, VersionInfo base, VersionInfo latest) {
        try {
            return store.layout(user, base.id());
        } catch (DamagedVersionException e) {
            throw baseDamaged(e, base, latest);
        }
    }

    /** A damaged latest is reported as such; a damaged older base cannot be merged from (412). */
    private static RuntimeException baseDamaged(DamagedVersionException e, VersionInfo base, VersionInfo latest) {
        return base.id() == latest.id() ? e : MergeOntoLatest.baseGone(base.id(), latest);
    }

    /** POST with If-Match: the device's whole state, edited from version {@code base}. */
    private Map<String, Object> storeOnBase(Exchange exchange, long base) {
        String user = user(exchange);
        RequestBodies.Body json = bodies.backup(exchange);
        long started = System.nanoTime();
        VersionInfo latest = store.latest(user).orElse(null);
        // validated and handed to the store as a plain POST is: stored as it is when the base is still the latest,
        // or merged from the layout found meanwhile
        Received received = received(user, json);
        Incoming early = latest != null ? received.incoming() : null;
        BackupSummary summary = received.summary();
        MergeOntoLatest.Outcome outcome = merges.write(user, base, json.array(), json.length(), summary, early);
        if (outcome.summary() != null) {
            reposts.remember(user, outcome.result().version().id(), outcome.summary());
        }
        newVersion(exchange, outcome.result());
        return answer(outcome, System.nanoTime() - started);
    }

    /** The usual answer, with how it was merged when it was. */
    private Map<String, Object> answer(MergeOntoLatest.Outcome outcome, long nanos) {
        Map<String, Object> answer = answer(outcome.result(), nanos);
        if (outcome.merged() != null) {
            Map<String, Object> merged = new LinkedHashMap<>();
            merged.put("base", outcome.merged().base());
            merged.put("onto", outcome.merged().onto());
            answer.put("merged", merged);
            answer.put("conflicts", outcome.conflicts());
            answer.put("conflictCount", outcome.conflicts().size());
        }
        return answer;
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
        // what a device sends back in If-Match to have its edits merged onto whatever is the latest by then
        all.put("ETag", "\"" + v.id() + "\"");
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
        // a version that lost too many records is listed with the counts (docs/trust.md, "Guard")
        guard.anomalies(user).forEach((id, anomaly) -> {
            Map<String, Object> m = byId.get(id);
            if (m != null) {
                m.put("anomaly", anomaly.toMap());
            }
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
        Received received = received(user, json);
        StoreResult result = store.put(user, received.incoming(), received.summary());
        BackupSummary summary = received.summary();
        reposts.remember(user, result.version().id(), summary);
        newVersion(exchange, result);
        return answer(result, System.nanoTime() - started);
    }

    /** A body that passed validation, handed to the store with what was done on it while it arrived. */
    private record Received(BackupSummary summary, Incoming incoming) {
    }

    /** Validates the body (or takes its validation made as it arrived) and hands it to the store; a 400 if invalid. */
    private Received received(String user, RequestBodies.Body json) {
        EarlyValidation.Taken early = earlyValidation.take(json.array(), user);
        if (early != null) {
            // validated, and compressed when the store wanted it whole, while it arrived
            Layout layout = early.validated().layout();
            return new Received(early.validated().summary(), early.incoming() != null ? early.incoming().withLayout(layout)
                    : store.incoming(user, json.array(), json.length(), layout));
        }
        if (json.length() < EarlyValidation.MIN_SIZE) {
            // the validation notes the layout on its way: the store does not scan the document again
            BackupReader.Validated valid = reader.validate(json.array(), json.length());
            return new Received(valid.summary(), store.incoming(user, json.array(), json.length(), valid.layout()));
        }
        // a big body that came in chunks or found every thread busy: the store starts on its share of the work
        // (scan, compression; on the other core) during its validation
        Incoming incoming = store.incoming(user, json.array(), json.length());
        return new Received(reader.read(json.array(), json.length()), incoming);
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
        if (v.merged() != null) {
            m.put("merged", v.merged().toMap());
        }
        return m;
    }

    private static String user(Exchange exchange) {
        return exchange.getProperty(RequestIdentity.USER, String.class);
    }

    private static String abbreviate(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "..." : s;
    }
}
