package app.garagesync.sync;

import app.garagesync.crypto.OffsiteCipher;
import app.garagesync.Json;
import app.garagesync.offsite.TargetContract;
import app.garagesync.store.UserIds;
import app.garagesync.store.VersionInfo;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.camel.Exchange;
import org.apache.camel.Message;

/**
 * Where versions live on a target, the same for every kind. Each version is held in the form the local
 * store keeps it: {@code users/<user>/versions/<id>.gsv} for a checkpoint, {@code <id>-<parent>.gsv} for a
 * delta of version {@code parent} (a version file, header line and zstd frame); targets written before
 * deltas hold whole documents, {@code <id>.json}, and stay readable. {@code users/<user>/index.json} lists
 * the versions the target holds, with their metadata and what a restore checks (see {@link RemoteObject}).
 *
 * <p>The methods taking an {@link Exchange} prepare the headers a target template reads:
 * {@value #OPERATION} ({@code put}, {@code get} or {@code delete}), {@value #KEY}, and the key split in
 * {@value #FOLDER} and {@value #FILE} for kinds that work with folders, and for a put {@value #LENGTH}.
 */
public final class RemoteLayout {

    // the headers a target template reads: see TargetContract, the one place they are defined
    public static final String OPERATION = TargetContract.OPERATION;
    public static final String KEY = TargetContract.KEY;
    public static final String FOLDER = TargetContract.FOLDER;
    public static final String FILE = TargetContract.FILE;
    public static final String LENGTH = TargetContract.LENGTH;

    /** Exchange properties the sync flows carry. */
    public static final String TARGET = "GarageSyncTarget";
    public static final String USER = "GarageSyncUser";
    /** The version being sent, its id: what {@code versionDelivery.load} starts from. */
    public static final String VERSION = "GarageSyncVersion";
    /** The index entry of the object being sent (metadata and {@link RemoteObject} fields). */
    public static final String ENTRY = "GarageSyncEntry";
    /** The object's plain bytes, kept for the spool while the body may be sealed. */
    public static final String OBJECT = "GarageSyncObject";
    /** The entries of the index to write. */
    public static final String INDEX = "GarageSyncIndex";
    /** The key of the object to delete. */
    public static final String DELETE = "GarageSyncDeleteKey";

    static final String INDEX_FORMAT = "garage-sync-index-2";
    /** The index of targets written before deltas: every entry a whole JSON document. */
    static final String LEGACY_INDEX_FORMAT = "garage-sync-index-1";

    /** A version's object: a checkpoint ({@code parent == 0}) or a delta of {@code parent}. */
    public static String objectKey(String user, long id, long parent) {
        return versionsFolder(user) + String.format("%010d", id)
                + (parent == 0 ? "" : String.format("-%010d", parent)) + ".gsv";
    }

    /** A version as a whole JSON document, the layout before deltas (still read, and deleted when pruned). */
    public static String legacyKey(String user, long id) {
        return versionsFolder(user) + String.format("%010d", id) + ".json";
    }

    public static String indexKey(String user) {
        return "users/" + UserIds.require(user) + "/index.json";
    }

    private static String versionsFolder(String user) {
        return "users/" + UserIds.require(user) + "/versions/";
    }

    private final OffsiteCipher cipher;
    private final SyncMetrics metrics;

    /** {@code metrics}: each operation prepared here is one first try at the target, counted as an attempt. */
    public RemoteLayout(OffsiteCipher cipher, SyncMetrics metrics) {
        this.cipher = cipher;
        this.metrics = metrics;
    }

    /** Headers to put the body (an object's bytes, encrypted when a key is set) under its key. */
    public void dataPut(Exchange exchange) throws IOException {
        String key = RemoteObject.fromMap(entry(exchange)).key(user(exchange));
        byte[] body = cipher.seal(key, exchange.getMessage().getBody(byte[].class));
        exchange.getMessage().setBody(body);
        address(exchange.getMessage(), TargetContract.PUT, key);
        exchange.getMessage().setHeader(LENGTH, body.length);
        firstTry(exchange);
    }

    /** Headers to get the user's index; the template answers its bytes, or a null body when there is none. */
    public void indexGet(Exchange exchange) {
        address(exchange.getMessage(), TargetContract.GET, indexKey(user(exchange)));
        exchange.getMessage().setBody(null);
        firstTry(exchange);
    }

    /** The index just read, as its list of entries (empty when the target has none). */
    public void indexRead(Exchange exchange) throws IOException {
        byte[] current = exchange.getMessage().getBody(byte[].class);
        exchange.getMessage().setBody(current == null || current.length == 0 ? List.of()
                : entries(cipher.open(indexKey(user(exchange)), current)));
    }

    /** The index listing exactly the entries in {@value #INDEX}, as the body to put. */
    public void indexPut(Exchange exchange) throws IOException {
        String key = indexKey(user(exchange));
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> entries = exchange.getProperty(INDEX, List.class);
        byte[] sealed = cipher.seal(key, index(user(exchange), entries));
        exchange.getMessage().setBody(sealed);
        address(exchange.getMessage(), TargetContract.PUT, key);
        exchange.getMessage().setHeader(LENGTH, sealed.length);
        firstTry(exchange);
    }

    /** Headers to delete the object under {@value #DELETE}. */
    public void deletePrepare(Exchange exchange) {
        exchange.getMessage().setBody(null);
        address(exchange.getMessage(), TargetContract.DELETE, exchange.getProperty(DELETE, String.class));
        firstTry(exchange);
    }

    /**
     * Every try at a target is counted once: the first here, as the operation is sent, each redelivery by
     * {@link RedeliveryNotice}. With the SDK's own retries off (one retry layer), that is what the target saw.
     */
    private void firstTry(Exchange exchange) {
        String target = exchange.getProperty(TARGET, String.class);
        if (target != null) {
            metrics.attempt(target);
        }
    }

    public static void address(Message m, String operation, String key) {
        // a clean slate for each operation: headers a component set on the previous answer (an object's
        // content length, say) would otherwise apply to the next request and cut the upload short
        m.removeHeaders("Camel*");
        m.setHeader(OPERATION, operation);
        m.setHeader(KEY, key);
        int slash = key.lastIndexOf('/');
        m.setHeader(FOLDER, key.substring(0, slash));
        m.setHeader(FILE, key.substring(slash + 1));
    }

    static byte[] index(String user, List<Map<String, Object>> entries) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("format", INDEX_FORMAT);
        doc.put("user", user);
        doc.put("versions", entries);
        return Json.bytes(doc);
    }

    /** The entries of an index, by id; both formats (an entry of the older one has no {@code form}). */
    @SuppressWarnings("unchecked")
    public static List<Map<String, Object>> entries(byte[] index) throws IOException {
        Map<String, Object> doc = Json.readMap(index);
        Object format = doc.get("format");
        if (!(INDEX_FORMAT.equals(format) || LEGACY_INDEX_FORMAT.equals(format)) || !(doc.get("versions") instanceof List<?> list)) {
            throw new IOException("not a garage-sync index (format " + format + ")");
        }
        List<Map<String, Object>> out = new ArrayList<>();
        for (Object e : list) {
            if (!(e instanceof Map<?, ?> m) || !(m.get("id") instanceof Number)) {
                throw new IOException("an index entry without an id");
            }
            out.add((Map<String, Object>) m);
        }
        out.sort(Comparator.comparingLong(e -> ((Number) e.get("id")).longValue()));
        return out;
    }

    /** A version's index entry: its metadata and the object the target holds for it. */
    static Map<String, Object> entry(VersionInfo v, RemoteObject object) {
        Map<String, Object> e = metadata(v);
        e.putAll(object.toMap());
        return e;
    }

    /** What a restore needs to bring a version back with its id and times (every index format has it). */
    static Map<String, Object> metadata(VersionInfo v) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("id", v.id());
        e.put("createdAt", v.createdAt().toString());
        e.put("backupTimestamp", v.backupTimestamp());
        e.put("totalRecords", v.totalRecords());
        e.put("recordsByCollection", v.recordsByCollection());
        e.put("size", v.size());
        e.put("contentHash", v.contentHash());
        return e;
    }

    /** The metadata of an index entry, back as the store's record; stored size is the store's business. */
    @SuppressWarnings("unchecked")
    public static VersionInfo versionInfo(Map<String, Object> e) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        ((Map<String, Object>) e.getOrDefault("recordsByCollection", Map.of()))
                .forEach((k, n) -> counts.put(k, ((Number) n).intValue()));
        return new VersionInfo(((Number) e.get("id")).longValue(), Instant.parse((String) e.get("createdAt")),
                (String) e.get("backupTimestamp"), ((Number) e.get("totalRecords")).intValue(), counts,
                ((Number) e.get("size")).longValue(), 0, (String) e.get("contentHash"));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> entry(Exchange exchange) {
        return exchange.getProperty(ENTRY, Map.class);
    }

    private static String user(Exchange exchange) {
        return exchange.getProperty(USER, String.class);
    }
}
