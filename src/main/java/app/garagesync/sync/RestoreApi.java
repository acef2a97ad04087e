package app.garagesync.sync;

import app.garagesync.Json;
import app.garagesync.api.ApiException;
import app.garagesync.api.RequestBodies;
import app.garagesync.api.Responses;
import app.garagesync.auth.RequestIdentity;
import app.garagesync.store.BackupStore;
import app.garagesync.store.Document;
import app.garagesync.store.VersionInfo;
import app.garagesync.offsite.TargetCatalog;
import app.garagesync.offsite.TargetContract;
import app.garagesync.offsite.TargetConfig;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;

/**
 * POST /api/restore {"target": name, "version": optional id}: brings the caller's versions back from a
 * target into the local store, with their original ids and times. Each version is rebuilt from the target's
 * objects (a checkpoint and the deltas after it, see {@link RemoteChain}) and checked against the SHA-256
 * the index recorded for the document before it is stored; a version already here is left as it is.
 */
public final class RestoreApi {

    private static final long MAX_BODY = 4096;

    private final TargetCatalog targets;
    private final BackupStore store;
    private final RequestBodies bodies;
    private final ProducerTemplate producer;
    private final app.garagesync.crypto.OffsiteCipher cipher;
    private final SyncRunner runner;

    public RestoreApi(TargetCatalog targets, BackupStore store, RequestBodies bodies, ProducerTemplate producer,
                      SyncRunner runner, app.garagesync.crypto.OffsiteCipher cipher) {
        this.cipher = cipher;
        this.targets = targets;
        this.store = store;
        this.bodies = bodies;
        this.producer = producer;
        this.runner = runner;
    }

    public void restore(Exchange exchange) {
        String user = exchange.getProperty(RequestIdentity.USER, String.class);
        Map<String, Object> request;
        try {
            request = Json.readMap(bodies.json(exchange, MAX_BODY));
        } catch (IOException | ClassCastException e) {
            throw ApiException.badRequest("$: expected a JSON object like {\"target\": \"offsite\", \"version\": 3}");
        }
        Object name = request.get("target");
        TargetConfig target = targets.require(name instanceof String s ? s : null);
        Optional<Long> only = version(request.get("version"));

        byte[] index = get(target, RemoteLayout.indexKey(user));
        if (index == null || index.length == 0) {
            throw ApiException.notFound("target '" + target.name() + "' holds no backup for user '" + user + "'");
        }
        List<Map<String, Object>> entries;
        try {
            entries = RemoteLayout.entries(index);
        } catch (IOException e) {
            throw new ApiException(502, "target_damaged", "the index on target '" + target.name() + "' is unreadable: " + e.getMessage());
        }
        List<Map<String, Object>> all = entries;
        if (only.isPresent()) {
            entries = entries.stream().filter(e -> ((Number) e.get("id")).longValue() == only.get()).toList();
            if (entries.isEmpty()) {
                throw ApiException.notFound("target '" + target.name() + "' has no version " + only.get() + " for user '" + user + "'");
            }
        }
        Map<Long, RemoteObject> objects = new LinkedHashMap<>();
        Map<Long, VersionInfo> infos = new LinkedHashMap<>();
        try {
            for (Map<String, Object> e : all) {
                RemoteObject o = RemoteObject.fromMap(e);
                objects.put(o.id(), o);
                infos.put(o.id(), RemoteLayout.versionInfo(e));
            }
        } catch (IOException | RuntimeException e) {
            throw new ApiException(502, "target_damaged", "the index on target '" + target.name() + "' is unreadable: " + e.getMessage());
        }
        RemoteChain chain = new RemoteChain(user, objects, key -> get(target, key));
        List<Long> restored = new ArrayList<>();
        List<Long> present = new ArrayList<>();
        long bytes = 0;
        for (Map<String, Object> e : entries) {
            VersionInfo original = infos.get(((Number) e.get("id")).longValue());
            Optional<VersionInfo> local = store.version(user, original.id());
            if (local.isPresent()) {
                if (!local.get().contentHash().equals(original.contentHash()) || local.get().size() != original.size()) {
                    throw new ApiException(409, "conflict", "version " + original.id() + " exists here with other content than on target '"
                            + target.name() + "'; restore into an empty data directory or pick another version");
                }
                present.add(original.id());
                continue;
            }
            byte[] json;
            try {
                json = chain.document(original.id(), original.size());
            } catch (IOException ex) {
                throw new ApiException(502, "target_damaged", "version " + original.id() + " on target '" + target.name()
                        + "' cannot be rebuilt exactly (" + ex.getMessage() + "); nothing more was restored");
            }
            store.putRestored(user, original, json);
            restored.add(original.id());
            bytes += json.length;
        }
        if (only.isEmpty() && !entries.isEmpty()) {
            runner.restored(target.name(), user, new ArrayList<>(objects.values()));
        }
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("target", target.name());
        answer.put("restored", restored);
        answer.put("alreadyPresent", present);
        answer.put("bytes", bytes);
        answer.put("latestVersion", store.latest(user).map(VersionInfo::id).orElse(null));
        Responses.json(exchange, 200, answer);
    }

    private byte[] get(TargetConfig target, String key) {
        Exchange ex = producer.send(target.endpointUri(), e -> RemoteLayout.address(e.getMessage(), TargetContract.GET, key));
        if (ex.getException() != null) {
            throw new ApiException(503, "target_unavailable", "target '" + target.name() + "' did not answer: "
                    + VersionDelivery.describe(ex.getException()));
        }
        byte[] body = ex.getMessage().getBody(byte[].class);
        try {
            return cipher.open(key, body);
        } catch (java.io.IOException e) {
            throw new ApiException(502, "undecryptable", "target '" + target.name() + "': " + e.getMessage());
        }
    }

    private static Optional<Long> version(Object v) {
        if (v == null) {
            return Optional.empty();
        }
        if (v instanceof Number n && n.longValue() > 0 && new java.math.BigDecimal(n.toString()).scale() <= 0) {
            return Optional.of(n.longValue());
        }
        throw ApiException.badRequest("version: must be a positive version number");
    }

    static String sha256(byte[] bytes) {
        return Document.of(bytes).sha256();
    }
}
