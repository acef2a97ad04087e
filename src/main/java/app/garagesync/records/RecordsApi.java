package app.garagesync.records;

import app.garagesync.Json;
import app.garagesync.api.ApiException;
import app.garagesync.api.RequestBodies;
import app.garagesync.api.Responses;
import app.garagesync.auth.RequestIdentity;
import app.garagesync.backup.BackupReader;
import app.garagesync.backup.Retention;
import app.garagesync.records.UserRecordIndex.Ref;
import app.garagesync.store.BackupStore;
import app.garagesync.store.BackupSummary;
import app.garagesync.store.StaleBaseException;
import app.garagesync.store.StoreResult;
import app.garagesync.store.VersionInfo;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.util.RawValue;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.camel.Exchange;

/**
 * What the records routes call: one record of a version, its history, a search over the latest version,
 * the difference between two versions, and a record brought back as it was (see docs/records.md).
 * Records are sent as their exact stored bytes.
 */
public final class RecordsApi {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(RecordsApi.class);

    /** Answers of a search stop there: it is for finding a customer or a plate, not for exporting. */
    /** Stored versions one search of deleted records may read (one per distinct version that deleted some). */
    static final int MAX_DELETED_VERSIONS_READ = 20;
    static final int MAX_FOUND = 50;
    /** History entries per answer unless the caller asks for fewer. */
    static final int MAX_HISTORY = 1000;
    /** A restore request is three small values. */
    private static final long MAX_RESTORE_BODY = 4096;
    /** Other writers winning the race for the next version: tried again this many times, then 409. */
    private static final int MAX_RACES = 5;
    private static final JsonFactory FACTORY = new JsonFactory();

    private final BackupStore store;
    private final RecordIndex index;
    private final BackupReader reader;
    private final RequestBodies bodies;
    private final SearchableVersions searchable = new SearchableVersions();

    public RecordsApi(BackupStore store, RecordIndex index, BackupReader reader, RequestBodies bodies) {
        this.store = store;
        this.index = index;
        this.reader = reader;
        this.bodies = bodies;
    }

    /** GET /api/records/{collection}/{id}[?version=N]: the record's bytes as they are in that version. */
    public void record(Exchange exchange) {
        String user = user(exchange);
        String collection = RecordId.collection(header(exchange, "collection"), "collection");
        String key = RecordId.keyOfPath(header(exchange, "id"), "id");
        VersionInfo v = versionOrLatest(exchange, user, "version");
        byte[] record = RecordSpans.of(store.read(user, v.id())).record(collection, key);
        if (record == null) {
            throw ApiException.notFound("no record " + describe(key) + " in " + collection + " in version " + v.id());
        }
        Responses.rawJson(exchange, 200, record);
        exchange.getMessage().setHeader("X-Garage-Sync-Version", Long.toString(v.id()));
    }

    /** GET /api/records/{collection}/{id}/history: one entry per version in which the record changed, newest first. */
    public void history(Exchange exchange) {
        String user = user(exchange);
        String collection = RecordId.collection(header(exchange, "collection"), "collection");
        String key = RecordId.keyOfPath(header(exchange, "id"), "id");
        int limit = limit(exchange);
        record Point(long version, long hash, long offset, int length) {
        }
        record Seen(List<Point> points, long from, long to, boolean prunedBefore) {
        }
        Seen seen = index.read(user, i -> {
            RecordChanges c = i.changes.get(new Ref(collection, key));
            List<Point> points = new ArrayList<>();
            for (int k = 0; c != null && k < c.size(); k++) {
                points.add(new Point(c.version(k), c.hash(k), c.offset(k), c.length(k)));
            }
            return new Seen(points, i.covered.isEmpty() ? 0 : i.covered.first(),
                    i.covered.isEmpty() ? 0 : i.covered.last(), i.prunedBefore);
        });
        if (seen.to() == 0) {
            throw ApiException.notFound("no backup stored yet for user '" + user + "'");
        }
        if (seen.points().isEmpty()) {
            throw ApiException.notFound("no record " + describe(key) + " in " + collection + " in versions "
                    + seen.from() + " to " + seen.to());
        }
        List<Point> points = seen.points();
        int oldest = Math.max(0, points.size() - limit);
        // each record as it was in its version, and one more: the "before" of the oldest entry listed; from
        // the index's copy of its bytes, or else read from the version itself
        Map<Integer, byte[]> records = new HashMap<>();
        try (RecordIndex.CopyReader copies = index.copyReader(user)) {
            for (int k = Math.max(0, oldest - 1); k < points.size(); k++) {
                Point p = points.get(k);
                byte[] copy = copies.copy(p.offset(), p.length(), p.hash());
                records.put(k, p.hash() == RecordChanges.ABSENT ? null : copy != null ? copy
                        : RecordSpans.of(store.read(user, p.version())).record(collection, key));
            }
        }
        List<Map<String, Object>> entries = new ArrayList<>();
        for (int k = points.size() - 1; k >= oldest; k--) {
            Point p = points.get(k);
            byte[] record = records.get(k);
            // the oldest entry of an index whose older versions were pruned: the record was there already
            boolean present = k == 0 && p.version() == seen.from() && seen.prunedBefore();
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("version", p.version());
            e.put("timestamp", store.version(user, p.version()).map(v -> v.createdAt().toString()).orElse(null));
            e.put("change", present ? "present" : record == null ? "deleted"
                    : k == 0 || points.get(k - 1).hash() == RecordChanges.ABSENT ? "inserted" : "updated");
            e.put("fields", present ? List.of() : changedFields(k == 0 ? null : records.get(k - 1), record));
            e.put("record", rawOrNull(record));
            entries.add(e);
        }
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("collection", collection);
        answer.put("id", RecordId.value(key));
        answer.put("history", entries);
        Map<String, Object> spans = new LinkedHashMap<>();
        spans.put("from", seen.from());
        spans.put("to", seen.to());
        answer.put("spans", spans);
        answer.put("olderVersionsPruned", seen.prunedBefore());
        answer.put("more", oldest > 0);
        Responses.json(exchange, 200, answer);
    }

    /** GET /api/records/{collection}?q=TEXT: records of the latest version with a text field containing TEXT. */
    public void search(Exchange exchange) {
        String user = user(exchange);
        String collection = RecordId.collection(header(exchange, "collection"), "collection");
        String q = header(exchange, "q");
        if (q == null || q.isBlank()) {
            throw ApiException.badRequest("q: the text to look for is required, e.g. ?q=dupont");
        }
        if (q.length() > RecordId.MAX_LENGTH) {
            throw ApiException.badRequest("q: longer than " + RecordId.MAX_LENGTH + " characters");
        }
        for (int i = 0; i < q.length(); i++) {
            if (Character.isISOControl(q.charAt(i))) {
                throw ApiException.badRequest("q: no control character, got one at position " + i);
            }
        }
        String deleted = header(exchange, "deleted");
        if (deleted != null && !deleted.equals("true") && !deleted.equals("false")) {
            throw ApiException.badRequest("deleted: true or false, got '" + abbreviate(deleted) + "'");
        }
        String folded = TextMatch.fold(q.strip());
        VersionInfo latest = versionOrLatest(exchange, user, null);
        SearchableVersions.Searchable version = searchable.get(user, latest.id(),
                () -> RecordSpans.of(store.read(user, latest.id())));
        SearchableVersions.Folded records = version.collection(collection);
        if (records == null) {
            throw ApiException.notFound("no collection " + collection + " in version " + latest.id());
        }
        List<Object> found = new ArrayList<>();
        List<RecordSpans.Span> spans = records.find(folded, MAX_FOUND + 1);
        boolean more = spans.size() > MAX_FOUND;
        for (RecordSpans.Span s : spans.subList(0, Math.min(spans.size(), MAX_FOUND))) {
            found.add(raw(Arrays.copyOfRange(version.spans.doc, s.start(), s.end())));
        }
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("collection", collection);
        answer.put("q", q);
        answer.put("version", latest.id());
        answer.put("records", found);
        answer.put("more", more);
        if ("true".equals(deleted)) {
            List<Object> gone = new ArrayList<>();
            answer.put("deletedComplete", deletedMatches(user, collection, folded, gone));
            answer.put("deleted", gone);
        }
        Responses.json(exchange, 200, answer);
    }

    /**
     * Records of a collection that the latest no longer has, whose text as it was just before their
     * deletion contains TEXT, most recently deleted first: the only way for an owner to find "the customer
     * deleted by mistake on Tuesday", since a search over the latest cannot see it. One version read per
     * distinct deleting version, and only within the versions still kept; at most
     * {@link #MAX_DELETED_VERSIONS_READ} versions are read, so that one request's work stays bounded.
     *
     * @return false when that bound stopped the search before every deleted record was looked at
     */
    private boolean deletedMatches(String user, String collection, String folded, List<Object> found) {
        record Gone(String key, long deletedIn, long lastSeenIn) {
        }
        List<Gone> gone = index.read(user, i -> {
            List<Gone> out = new ArrayList<>();
            i.changes.forEach((ref, c) -> {
                if (ref.collection().equals(collection) && c.size() > 1 && c.last() == RecordChanges.ABSENT) {
                    Long before = i.covered.lower(c.version(c.size() - 1));
                    if (before != null && c.at(before) != RecordChanges.ABSENT) {
                        out.add(new Gone(ref.key(), c.version(c.size() - 1), before));
                    }
                }
            });
            out.sort(Comparator.comparingLong(Gone::deletedIn).reversed().thenComparing(Gone::key));
            return out;
        });
        RecordSpans spans = null;
        long read = 0;
        int versionsRead = 0;
        for (Gone g : gone) {
            if (found.size() == MAX_FOUND) {
                break;
            }
            if (g.lastSeenIn() != read) {
                if (versionsRead == MAX_DELETED_VERSIONS_READ) {
                    return false;
                }
                spans = RecordSpans.of(store.read(user, g.lastSeenIn()));
                read = g.lastSeenIn();
                versionsRead++;
            }
            RecordSpans.Collection c = spans.collections.get(collection);
            RecordSpans.Span s = c == null ? null : c.records().get(g.key());
            if (s != null && contains(spans.doc, s, folded)) {
                Map<String, Object> e = new LinkedHashMap<>();
                e.put("id", RecordId.value(g.key()));
                e.put("deletedIn", g.deletedIn());
                e.put("lastSeenIn", g.lastSeenIn());
                e.put("record", raw(Arrays.copyOfRange(spans.doc, s.start(), s.end())));
                found.add(e);
            }
        }
        return true;
    }

    private static boolean contains(byte[] doc, RecordSpans.Span s, String folded) {
        try (JsonParser p = FACTORY.createParser(doc, s.start(), s.end() - s.start())) {
            JsonToken t;
            while ((t = p.nextToken()) != null) {
                if (t == JsonToken.VALUE_STRING && TextMatch.fold(p.getText()).contains(folded)) {
                    return true;
                }
            }
            return false;
        } catch (IOException e) {
            throw new UncheckedIOException("a stored record no longer parses", e);
        }
    }

    /**
     * After a write (off the request's path): when the caller searched lately, their new latest is made
     * ready to search now, so that their next search does not wait for it.
     */
    public void warmSearch(Exchange exchange) {
        String user = user(exchange);
        List<String> collections = user == null ? null : searchable.searchedCollections(user);
        if (collections == null) {
            return;
        }
        try {
            store.latest(user).ifPresent(latest -> {
                SearchableVersions.Searchable version = searchable.get(user, latest.id(),
                        () -> RecordSpans.of(store.read(user, latest.id())));
                collections.forEach(version::collection);
            });
        } catch (RuntimeException e) {
            // only a head start: the next search makes it ready itself
            LOG.info("Could not make the new latest of user {} ready to search: {}", user, e.getMessage());
        }
    }

    /** GET /api/diff?from=N&to=M[&records=true]: per collection, the ids inserted, updated and deleted. */
    public void diff(Exchange exchange) {
        String user = user(exchange);
        long from = version(exchange, user, "from", true).id();
        long to = version(exchange, user, "to", true).id();
        String records = header(exchange, "records");
        if (records != null && !records.equals("true") && !records.equals("false")) {
            throw ApiException.badRequest("records: true or false, got '" + abbreviate(records) + "'");
        }
        boolean withRecords = "true".equals(records);
        // per collection, per kind, the keys; sorted so that two calls answer alike; with records, where the
        // index's copies of their bytes are, before and after
        Map<Ref, long[]> copies = new HashMap<>();
        Map<String, Map<String, List<String>>> changed = index.read(user, i -> {
            if (!i.covered.contains(from) || !i.covered.contains(to)) {
                throw ApiException.notFound("version " + (i.covered.contains(from) ? to : from)
                        + " does not read back (damaged): no difference to show");
            }
            Map<String, Map<String, List<String>>> out = new TreeMap<>();
            i.changes.forEach((ref, c) -> {
                long before = c.at(from);
                long after = c.at(to);
                String kind = before == after ? null : before == RecordChanges.ABSENT ? "inserted"
                        : after == RecordChanges.ABSENT ? "deleted" : "updated";
                if (kind != null) {
                    out.computeIfAbsent(ref.collection(), n -> kinds()).get(kind).add(ref.key());
                    if (withRecords) {
                        int b = c.indexAt(from);
                        int a = c.indexAt(to);
                        copies.put(ref, new long[] {before, b < 0 ? -1 : c.offset(b), b < 0 ? 0 : c.length(b),
                            after, a < 0 ? -1 : c.offset(a), a < 0 ? 0 : c.length(a)});
                    }
                }
            });
            out.values().forEach(m -> m.values().forEach(list -> list.sort(null)));
            return out;
        });
        // a version is read only for the records whose copy is not there
        RecordSpans[] versions = new RecordSpans[2];
        RecordIndex.CopyReader reader = index.copyReader(user);
        java.util.function.BiFunction<Integer, Ref, byte[]> recordOf = (side, ref) -> {
            long[] at = copies.get(ref);
            long hash = at[side * 3];
            if (hash == RecordChanges.ABSENT) {
                return null;
            }
            byte[] copy = reader.copy(at[side * 3 + 1], (int) at[side * 3 + 2], hash);
            if (copy != null) {
                return copy;
            }
            if (versions[side] == null) {
                versions[side] = RecordSpans.of(store.read(user, side == 0 ? from : to));
            }
            return versions[side].record(ref.collection(), ref.key());
        };
        Map<String, Object> collections = new LinkedHashMap<>();
        changed.forEach((name, kinds) -> {
            Map<String, Object> c = new LinkedHashMap<>();
            List<Object> pairs = new ArrayList<>();
            kinds.forEach((kind, keys) -> {
                c.put(kind, keys.stream().map(RecordId::value).toList());
                if (withRecords) {
                    for (String key : keys) {
                        Map<String, Object> pair = new LinkedHashMap<>();
                        pair.put("id", RecordId.value(key));
                        pair.put("change", kind);
                        pair.put("before", rawOrNull(recordOf.apply(0, new Ref(name, key))));
                        pair.put("after", rawOrNull(recordOf.apply(1, new Ref(name, key))));
                        pairs.add(pair);
                    }
                }
            });
            if (withRecords) {
                c.put("records", pairs);
            }
            collections.put(name, c);
        });
        reader.close();
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("from", from);
        answer.put("to", to);
        answer.put("collections", collections);
        Responses.json(exchange, 200, answer);
    }

    private static Map<String, List<String>> kinds() {
        Map<String, List<String>> m = new LinkedHashMap<>();
        m.put("inserted", new ArrayList<>());
        m.put("updated", new ArrayList<>());
        m.put("deleted", new ArrayList<>());
        return m;
    }

    /**
     * POST /api/records/restore {collection, id, version}: a new version, the latest with that record as it
     * was in {@code version} (put back, replaced, or removed when it was not there yet), every other byte
     * unchanged. Stored like a PATCH: validated, on the latest as base, again on the new latest when
     * another writer stored one meanwhile.
     */
    public void restore(Exchange exchange) {
        String user = user(exchange);
        Map<String, Object> body;
        try {
            body = Json.readClientMap(bodies.json(exchange, MAX_RESTORE_BODY));
        } catch (IOException | ClassCastException e) {
            throw ApiException.badRequest("$: expected a JSON object {collection, id, version}");
        }
        if (body == null) {
            throw ApiException.badRequest("$: expected a JSON object {collection, id, version}");
        }
        if (!(body.get("collection") instanceof String name)) {
            throw ApiException.badRequest("collection: a collection name (string) is required");
        }
        String collection = RecordId.collection(name, "collection");
        String key = RecordId.keyOfValue(body.get("id"), "id");
        Object v = body.get("version");
        if (!(v instanceof java.math.BigInteger n) || n.signum() <= 0 || n.bitLength() > 62) {
            throw ApiException.badRequest("version: a version number is required");
        }
        VersionInfo source = store.version(user, n.longValue())
                .orElseThrow(() -> ApiException.notFound("no version " + n + " for user '" + user + "'"));
        byte[] record = RecordSpans.of(store.read(user, source.id())).record(collection, key);
        for (int race = 0; ; race++) {
            VersionInfo latest = store.latest(user)
                    .orElseThrow(() -> ApiException.notFound("no backup stored yet for user '" + user + "'"));
            RecordSpans now = RecordSpans.of(store.read(user, latest.id()));
            byte[] current = now.record(collection, key);
            if (record == null && current == null) {
                throw ApiException.notFound("no record " + describe(key) + " in " + collection + " in version "
                        + source.id() + " nor in the latest (" + latest.id() + ")");
            }
            String change = record == null ? "deleted" : current == null ? "inserted" : "updated";
            byte[] doc = record != null && Arrays.equals(record, current) ? now.doc
                    : RecordSplice.put(now, collection, key, record);
            BackupSummary summary = reader.read(doc);
            StoreResult result;
            try {
                result = store.putOnBase(user, latest.id(), store.incoming(user, doc, doc.length), summary);
            } catch (StaleBaseException e) {
                if (race + 1 >= MAX_RACES) {
                    throw new ApiException(409, "conflict", "other devices kept storing new versions; try again");
                }
                continue;
            }
            Map<String, Object> answer = new LinkedHashMap<>();
            answer.put("version", result.version().id());
            answer.put("collection", collection);
            answer.put("id", RecordId.value(key));
            answer.put("restoredFrom", source.id());
            if (result instanceof StoreResult.Stored) {
                exchange.setProperty(Retention.NEW_VERSION, result.version().id());
                answer.put("change", change);
                Responses.json(exchange, 201, answer);
            } else {
                answer.put("unchanged", true);
                Responses.json(exchange, 200, answer);
            }
            return;
        }
    }

    // ---- helpers ----

    /** Top-level members that differ between two versions of a record, by their bytes, in the newer's order. */
    static List<String> changedFields(byte[] before, byte[] after) {
        Map<String, String> b = members(before);
        Map<String, String> a = members(after);
        List<String> out = new ArrayList<>();
        a.forEach((k, v) -> {
            if (!v.equals(b.get(k))) {
                out.add(k);
            }
        });
        b.keySet().forEach(k -> {
            if (!a.containsKey(k)) {
                out.add(k);
            }
        });
        return out;
    }

    private static Map<String, String> members(byte[] record) {
        Map<String, String> out = new HashMap<>();
        if (record == null) {
            return out;
        }
        out = new LinkedHashMap<>();
        try (JsonParser p = FACTORY.createParser(record)) {
            p.nextToken();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                p.nextToken();
                int start = (int) p.currentTokenLocation().getByteOffset();
                p.skipChildren();
                p.finishToken();
                int end = (int) p.currentLocation().getByteOffset();
                out.put(name, new String(record, start, end - start, StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("a stored record no longer parses", e);
        }
        return out;
    }

    private VersionInfo versionOrLatest(Exchange exchange, String user, String param) {
        String given = param == null ? null : header(exchange, param);
        if (given == null || given.isEmpty()) {
            return store.latest(user).orElseThrow(() -> ApiException.notFound("no backup stored yet for user '" + user + "'"));
        }
        return version(exchange, user, param, true);
    }

    private VersionInfo version(Exchange exchange, String user, String param, boolean required) {
        String given = header(exchange, param);
        if (given == null || given.isEmpty()) {
            throw ApiException.badRequest(param + ": a version number is required");
        }
        // ASCII digits only, as for GET /api/backup?version=
        if (!given.matches("[0-9]{1,18}")) {
            throw ApiException.badRequest(param + ": must be a version number (digits only), got '" + abbreviate(given) + "'");
        }
        long id = Long.parseLong(given);
        return store.version(user, id).orElseThrow(() -> ApiException.notFound("no version " + id + " for user '" + user + "'"));
    }

    private static int limit(Exchange exchange) {
        String given = header(exchange, "limit");
        if (given == null || given.isEmpty()) {
            return MAX_HISTORY;
        }
        if (!given.matches("[0-9]{1,4}") || Integer.parseInt(given) < 1 || Integer.parseInt(given) > MAX_HISTORY) {
            throw ApiException.badRequest("limit: a number from 1 to " + MAX_HISTORY + ", got '" + abbreviate(given) + "'");
        }
        return Integer.parseInt(given);
    }

    private static String header(Exchange exchange, String name) {
        return exchange.getMessage().getHeader(name, String.class);
    }

    private static RawValue raw(byte[] json) {
        return new RawValue(new String(json, StandardCharsets.UTF_8));
    }

    private static Object rawOrNull(byte[] json) {
        return json == null ? null : raw(json);
    }

    private static String describe(String key) {
        Object v = RecordId.value(key);
        return v instanceof String s ? "'" + abbreviate(s) + "'" : String.valueOf(v);
    }

    private static String user(Exchange exchange) {
        return exchange.getProperty(RequestIdentity.USER, String.class);
    }

    private static String abbreviate(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "..." : s;
    }
}
