package app.garagesync.sync;

import app.garagesync.crypto.OffsiteCipher;
import app.garagesync.Json;
import app.garagesync.store.UserIds;
import app.garagesync.store.VersionInfo;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.camel.Exchange;
import org.apache.camel.Message;

/**
 * Where versions live on a target, the same for every kind: {@code users/<user>/versions/<id>.json} holds
 * a backup exactly as sent, {@code users/<user>/index.json} lists the user's versions with their metadata
 * (what a restore needs to bring back ids and times identical). Both are written by key, so writing one
 * twice is harmless: a replay after a crash duplicates nothing.
 *
 * <p>The methods taking an {@link Exchange} prepare the headers a target template reads:
 * {@value #OPERATION} ({@code put} or {@code get}), {@value #KEY}, and the key split in {@value #FOLDER} and
 * {@value #FILE} for kinds that work with folders, and for a put {@value #LENGTH}, the body's length.
 */
public final class RemoteLayout {

    public static final String OPERATION = "GarageSyncOperation";
    public static final String KEY = "GarageSyncKey";
    public static final String FOLDER = "GarageSyncFolder";
    public static final String FILE = "GarageSyncFile";
    /** For a put: the body's length in bytes (computing it in a template's simple expression copies the array). */
    public static final String LENGTH = "GarageSyncLength";

    /** Exchange properties the sync flows carry. */
    public static final String TARGET = "GarageSyncTarget";
    public static final String USER = "GarageSyncUser";
    public static final String ENTRY = "GarageSyncEntry";

    static final String INDEX_FORMAT = "garage-sync-index-1";

    public static String dataKey(String user, long id) {
        return "users/" + UserIds.require(user) + "/versions/" + String.format("%010d", id) + ".json";
    }

    public static String indexKey(String user) {
        return "users/" + UserIds.require(user) + "/index.json";
    }

    private final OffsiteCipher cipher;

    public RemoteLayout(OffsiteCipher cipher) {
        this.cipher = cipher;
    }

    /** Headers to put the body (a backup's bytes, encrypted when a key is set) under the version's key. */
    public void dataPut(Exchange exchange) throws IOException {
        Map<String, Object> entry = entry(exchange);
        String key = dataKey(user(exchange), ((Number) entry.get("id")).longValue());
        byte[] body = cipher.seal(key, exchange.getMessage().getBody(byte[].class));
        exchange.getMessage().setBody(body);
        address(exchange.getMessage(), "put", key);
        exchange.getMessage().setHeader(LENGTH, body.length);
    }

    /** Headers to get the user's index; the template answers its bytes, or a null body when there is none. */
    public void indexGet(Exchange exchange) {
        address(exchange.getMessage(), "get", indexKey(user(exchange)));
        exchange.getMessage().setBody(null);
    }

    /** The index just read, with this version's entry added, as the body to put back. */
    public void indexPut(Exchange exchange) throws IOException {
        String key = indexKey(user(exchange));
        byte[] current = exchange.getMessage().getBody(byte[].class);
        List<Map<String, Object>> entries = current == null || current.length == 0 ? new ArrayList<>()
                : entries(cipher.open(key, current));
        byte[] merged = cipher.seal(key, index(user(exchange), merge(entries, entry(exchange))));
        exchange.getMessage().setBody(merged);
        address(exchange.getMessage(), "put", key);
        exchange.getMessage().setHeader(LENGTH, merged.length);
    }

    static void address(Message m, String operation, String key) {
        // a clean slate for each operation: headers a component set on the previous answer (an object's
        // content length, say) would otherwise apply to the next request and cut the upload short
        m.removeHeaders("Camel*");
        m.setHeader(OPERATION, operation);
        m.setHeader(KEY, key);
        int slash = key.lastIndexOf('/');
        m.setHeader(FOLDER, key.substring(0, slash));
        m.setHeader(FILE, key.substring(slash + 1));
    }

    static List<Map<String, Object>> merge(List<Map<String, Object>> entries, Map<String, Object> added) {
        TreeMap<Long, Map<String, Object>> byId = new TreeMap<>();
        for (Map<String, Object> e : entries) {
            byId.put(((Number) e.get("id")).longValue(), e);
        }
        byId.put(((Number) added.get("id")).longValue(), added);
        return new ArrayList<>(byId.values());
    }

    static byte[] index(String user, List<Map<String, Object>> entries) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("format", INDEX_FORMAT);
        doc.put("user", user);
        doc.put("versions", entries);
        return Json.bytes(doc);
    }

    @SuppressWarnings("unchecked")
    public static List<Map<String, Object>> entries(byte[] index) throws IOException {
        Map<String, Object> doc = Json.readMap(index);
        if (!INDEX_FORMAT.equals(doc.get("format")) || !(doc.get("versions") instanceof List<?>)) {
            throw new IOException("not a garage-sync index (format " + doc.get("format") + ")");
        }
        List<Map<String, Object>> list = new ArrayList<>((List<Map<String, Object>>) doc.get("versions"));
        list.sort(Comparator.comparingLong(e -> ((Number) e.get("id")).longValue()));
        return list;
    }

    /** A version's metadata as the index keeps it. */
    public static Map<String, Object> entry(VersionInfo v) {
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
