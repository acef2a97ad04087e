package app.garagesync.sync;

import app.garagesync.store.StoredVersion;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * One object a target holds for a version, as its index entry and the ledger describe it: the stored
 * form ({@code checkpoint}, {@code delta} of {@code parent}, or {@code json}, a whole document written by
 * the layout before deltas), the object's size and SHA-256, and the SHA-256 of the rebuilt document, which
 * a restore checks every rebuilt version against. {@code contentHash} ties it to the local version it
 * copies: an object of another history under the same id is never taken for this one.
 */
public record RemoteObject(long id, Form form, long parent, long objectSize, String objectSha256, String sha256,
                           String contentHash) {

    public enum Form { checkpoint, delta, json }

    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

    /** The object a stored version becomes on a target; {@code sha256} is the rebuilt document's. */
    static RemoteObject of(StoredVersion v, String sha256) {
        return new RemoteObject(v.info().id(), v.isDelta() ? Form.delta : Form.checkpoint, v.parent(),
                v.bytes().length, RestoreApi.sha256(v.bytes()), sha256, v.info().contentHash());
    }

    /** Where it lives: a delta's key names its parent, so a version re-sent in another form never overwrites the listed one. */
    public String key(String user) {
        return switch (form) {
            case json -> RemoteLayout.legacyKey(user, id);
            case checkpoint -> RemoteLayout.objectKey(user, id, 0);
            case delta -> RemoteLayout.objectKey(user, id, parent);
        };
    }

    public boolean isDelta() {
        return form == Form.delta;
    }

    /** The fields it adds to an index entry (and keeps in the ledger). */
    Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", id);
        m.put("contentHash", contentHash);
        m.put("sha256", sha256);
        m.put("form", form.name());
        m.put("parent", parent);
        m.put("objectSize", objectSize);
        m.put("objectSha256", objectSha256);
        return m;
    }

    /**
     * Reads an index entry or a ledger record, checking every field that becomes a key or a check: an
     * entry without {@code form} was written by the layout before deltas and names a whole JSON document.
     */
    static RemoteObject fromMap(Map<String, Object> e) throws IOException {
        long id = number(e, "id");
        if (id <= 0) {
            throw new IOException("index entry with id " + id);
        }
        String sha256 = hash(e, "sha256", id);
        Object contentHash = e.get("contentHash");
        if (!(contentHash instanceof String ch)) {
            throw new IOException("version " + id + ": no contentHash");
        }
        Object form = e.get("form");
        if (form == null || Form.json.name().equals(form)) {
            return new RemoteObject(id, Form.json, 0, number(e, "size"), sha256, sha256, ch);
        }
        Form f;
        try {
            f = Form.valueOf(String.valueOf(form));
        } catch (IllegalArgumentException bad) {
            throw new IOException("version " + id + ": unknown form " + form);
        }
        long parent = number(e, "parent");
        if (f == Form.checkpoint ? parent != 0 : parent <= 0 || parent >= id) {
            throw new IOException("version " + id + ": " + f + " with parent " + parent);
        }
        long objectSize = number(e, "objectSize");
        if (objectSize <= 0) {
            throw new IOException("version " + id + ": object size " + objectSize);
        }
        return new RemoteObject(id, f, parent, objectSize, hash(e, "objectSha256", id), sha256, ch);
    }

    private static long number(Map<String, Object> e, String name) throws IOException {
        Object v = e.get(name);
        if (v instanceof Integer || v instanceof Long
                || v instanceof java.math.BigInteger b && b.bitLength() < Long.SIZE) {
            return ((Number) v).longValue();
        }
        throw new IOException("index entry " + e.get("id") + ": " + name + " is not a whole number");
    }

    private static String hash(Map<String, Object> e, String name, long id) throws IOException {
        Object v = e.get(name);
        if (v instanceof String s && SHA256.matcher(s).matches()) {
            return s;
        }
        throw new IOException("version " + id + ": " + name + " is not a SHA-256");
    }
}
