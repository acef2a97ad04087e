package app.garagesync.sync;

import app.garagesync.Json;
import app.garagesync.api.ApiException;
import app.garagesync.api.RequestBodies;
import app.garagesync.api.Responses;
import app.garagesync.auth.RequestIdentity;
import app.garagesync.crypto.OffsiteCipher;
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
import java.util.Set;
import app.garagesync.store.UserIds;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;

/**
 * POST /api/restore {"target": name, "version": optional id, "users": optional}: brings versions back from
 * a target into the local store, with their original ids and times: the caller's own, or for a user named
 * in {@code garagesync.admin.users} every user the target holds (a disaster restore on a new machine) or
 * those named; anyone else asking for another user gets 403. GET /api/restore/users lists what a target
 * holds first. Each version is rebuilt from the target's
 * objects (a checkpoint and the deltas after it, see {@link RemoteChain}) and checked against the SHA-256
 * the index recorded for the document before it is stored; a version already here is left as it is.
 */
public final class RestoreApi {

    private static final long MAX_BODY = 128 * 1024;
    /** Users one request may name; "*" covers any number. */
    private static final int MAX_USERS = 1000;

    private final TargetCatalog targets;
    private final BackupStore store;
    private final RequestBodies bodies;
    private final ProducerTemplate producer;
    private final OffsiteCipher cipher;
    private final SyncRunner runner;
    private final Set<String> admins;

    public RestoreApi(TargetCatalog targets, BackupStore store, RequestBodies bodies, ProducerTemplate producer,
                      SyncRunner runner, OffsiteCipher cipher, Set<String> admins) {
        this.admins = admins;
        this.cipher = cipher;
        this.targets = targets;
        this.store = store;
        this.bodies = bodies;
        this.producer = producer;
        this.runner = runner;
    }

    public void restore(Exchange exchange) {
        String caller = exchange.getProperty(RequestIdentity.USER, String.class);
        Map<String, Object> request;
        try {
            request = Json.readMap(bodies.json(exchange, MAX_BODY));
        } catch (IOException | ClassCastException e) {
            throw ApiException.badRequest("$: expected a JSON object like {\"target\": \"offsite\", \"version\": 3}");
        }
        Object name = request.get("target");
        TargetConfig target = targets.require(name instanceof String s ? s : null);
        Optional<Long> only = version(request.get("version"));
        Scope scope = scope(caller, request.get("users"));
        List<String> users = scope.everyone() ? heldUsers(target) : scope.named();
        if (only.isPresent() && users.size() != 1) {
            throw ApiException.badRequest("version: restores one version of one user; name that user alone in users");
        }
        if (users.isEmpty()) {
            throw ApiException.notFound("target '" + target.name() + "' holds no user");
        }
        Map<String, Object> byUser = new LinkedHashMap<>();
        ApiException failure = null;
        for (String user : users) {
            try {
                Map<String, Object> done = restoreUser(target, user, only);
                if (done == null && scope.everyone()) {
                    continue; // a folder without an index: nothing restorable was ever completed there
                }
                if (done == null) {
                    throw ApiException.notFound("target '" + target.name() + "' holds no backup for user '" + user + "'");
                }
                byUser.put(user, done);
            } catch (ApiException e) {
                // one user's trouble does not hold back the others' restore; a target that stopped
                // answering does (503: retry, and what came back already is reported as present)
                if (users.size() == 1 || e.status() == 503) {
                    throw e;
                }
                Map<String, Object> failed = new LinkedHashMap<>();
                failed.put("error", e.code());
                failed.put("message", e.getMessage());
                byUser.put(user, failed);
                failure = failure == null ? e : failure;
            }
        }
        Map<String, Object> answer = new LinkedHashMap<>();
        if (failure != null) {
            answer.put("error", failure.code());
            answer.put("message", "some users were not restored (see users): " + failure.getMessage());
            answer.put("status", failure.status());
        }
        answer.put("target", target.name());
        if (byUser.get(caller) instanceof Map<?, ?> own && !own.containsKey("error")) {
            // the caller's own restore at the top level, as this answer always had it
            own.forEach((k, v) -> answer.put((String) k, v));
        }
        answer.put("users", byUser);
        Responses.json(exchange, failure == null ? 200 : failure.status(), answer);
    }

    /**
     * GET /api/restore/users?target=NAME: the users the target holds, each with its latest version, when
     * that was stored, and how many versions: what a disaster restore would bring back. An admin sees every
     * user; anyone else only themselves.
     */
    public void users(Exchange exchange) {
        String caller = exchange.getProperty(RequestIdentity.USER, String.class);
        TargetConfig target = targets.require(exchange.getMessage().getHeader("target", String.class));
        List<String> names = admins.contains(caller) ? heldUsers(target) : List.of(caller);
        List<Map<String, Object>> held = new ArrayList<>();
        for (String user : names) {
            List<Map<String, Object>> entries = index(target, user);
            if (entries == null || entries.isEmpty()) {
                continue;
            }
            Map<String, Object> latest = entries.get(entries.size() - 1);
            Map<String, Object> u = new LinkedHashMap<>();
            u.put("user", user);
            u.put("latestVersion", ((Number) latest.get("id")).longValue());
            u.put("versions", entries.size());
            u.put("latestAt", latest.get("createdAt"));
            held.add(u);
        }
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("target", target.name());
        answer.put("users", held);
        Responses.json(exchange, 200, answer);
    }

    /** Whose versions a restore brings back: everyone the target holds, or the users named. */
    private record Scope(boolean everyone, List<String> named) {
    }

    private Scope scope(String caller, Object users) {
        boolean admin = admins.contains(caller);
        if (users == null) {
            return admin ? new Scope(true, List.of()) : new Scope(false, List.of(caller));
        }
        boolean everyone = "*".equals(users) || (users instanceof List<?> l && l.size() == 1 && "*".equals(l.get(0)));
        List<String> named = new ArrayList<>();
        if (!everyone) {
            if (!(users instanceof List<?> list) || list.isEmpty() || list.size() > MAX_USERS) {
                throw ApiException.badRequest("users: a list of 1 to " + MAX_USERS + " user ids, or \"*\" for every user the target holds");
            }
            for (int i = 0; i < list.size(); i++) {
                if (!(list.get(i) instanceof String id) || !UserIds.isValid(id)) {
                    throw ApiException.badRequest("users[" + i + "]: not a user id ([A-Za-z0-9][A-Za-z0-9._-]{0,63})");
                }
                if (!named.contains(id)) {
                    named.add(id);
                }
            }
        }
        if (!admin && (everyone || !named.equals(List.of(caller)))) {
            throw new ApiException(403, "forbidden", "only a user named in garagesync.admin.users restores other users than themselves");
        }
        return new Scope(everyone, named);
    }

    /** The users with a folder on the target ({@link TargetContract#LIST} of {@code users/}), valid ids only, sorted. */
    private List<String> heldUsers(TargetConfig target) {
        Exchange ex = producer.send(target.endpointUri(), e -> {
            RemoteLayout.address(e.getMessage(), TargetContract.LIST, TargetContract.USERS_FOLDER);
            e.getMessage().setBody(null);
        });
        if (ex.getException() != null) {
            throw new ApiException(503, "target_unavailable", "target '" + target.name() + "' did not answer: "
                    + VersionDelivery.describe(ex.getException()));
        }
        List<?> names = ex.getMessage().getBody(List.class);
        if (names == null) {
            throw new ApiException(502, "target_damaged", "target '" + target.name() + "' did not list its users");
        }
        // names come from the target: only those that are user ids become keys and folders here
        return names.stream().filter(n -> n instanceof String s && UserIds.isValid(s)).map(String.class::cast)
                .distinct().sorted().toList();
    }

    /** The user's index entries on the target by id, or null when it holds no index for them. */
    private List<Map<String, Object>> index(TargetConfig target, String user) {
        byte[] index = get(target, RemoteLayout.indexKey(user));
        if (index == null || index.length == 0) {
            return null;
        }
        try {
            return RemoteLayout.entries(index);
        } catch (IOException e) {
            throw new ApiException(502, "target_damaged", "the index of user '" + user + "' on target '" + target.name()
                    + "' is unreadable: " + e.getMessage());
        }
    }

    /** One user's versions (or one of them) back from the target; null when the target has no index for the user. */
    private Map<String, Object> restoreUser(TargetConfig target, String user, Optional<Long> only) {
        List<Map<String, Object>> entries = index(target, user);
        if (entries == null) {
            return null;
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
                    throw new ApiException(409, "conflict", "version " + original.id() + " of user '" + user + "' exists here with other content than on target '"
                            + target.name() + "'; restore into an empty data directory or pick another version");
                }
                present.add(original.id());
                continue;
            }
            byte[] json;
            try {
                json = chain.document(original.id(), original.size());
            } catch (IOException ex) {
                throw new ApiException(502, "target_damaged", "version " + original.id() + " of user '" + user + "' on target '" + target.name()
                        + "' cannot be rebuilt exactly (" + ex.getMessage() + "); nothing more was restored for that user");
            }
            store.putRestored(user, original, json);
            restored.add(original.id());
            bytes += json.length;
        }
        if (only.isEmpty() && !entries.isEmpty()) {
            runner.restored(target.name(), user, new ArrayList<>(objects.values()));
        }
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("restored", restored);
        answer.put("alreadyPresent", present);
        answer.put("bytes", bytes);
        answer.put("latestVersion", store.latest(user).map(VersionInfo::id).orElse(null));
        return answer;
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
        } catch (IOException e) {
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
