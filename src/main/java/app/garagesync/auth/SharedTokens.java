package app.garagesync.auth;

import app.garagesync.Json;
import app.garagesync.api.ApiException;
import app.garagesync.store.BlobStore;
import app.garagesync.store.SharedRecords;
import app.garagesync.store.UserIds;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tokens of a store shared by several daemons, as records in that store, so that a user added through
 * one daemon (or by {@code add-user} pointed at the bucket) signs in through every other:
 * <ul>
 * <li>{@code auth/users/<user>.json}: {@code {"user", "tokenSha256"}}, the user's one valid token, replaced
 *     with a conditional write when the user gets a new token;</li>
 * <li>{@code auth/tokens/<sha256>.json}: {@code {"user"}}, the way from a token to its user in one read.</li>
 * </ul>
 * Only SHA-256 hashes, as in the token file ({@link TokenFile#hash}): a copy of the bucket gives no token
 * away. A token is valid when both records agree, so a replaced token whose lookup record is left behind
 * (a crash between the two writes) is refused. Reads go through {@link SharedRecords}: a new or replaced
 * token holds on every daemon within {@code garagesync.shared.cache-ttl}.
 */
public final class SharedTokens implements Tokens {

    private static final Logger LOG = LoggerFactory.getLogger(SharedTokens.class);

    private final SharedRecords records;

    public SharedTokens(SharedRecords records) {
        this.records = records;
    }

    @Override
    public Optional<String> userFor(String token) {
        String hash = TokenFile.hash(token);
        try {
            byte[] lookup = records.read(tokenKey(hash));
            if (lookup == null) {
                return Optional.empty();
            }
            Object user = Json.readMap(lookup).get("user");
            if (!(user instanceof String name) || !UserIds.isValid(name)) {
                return Optional.empty();
            }
            byte[] current = records.read(userKey(name));
            return current != null && hash.equals(Json.readMap(current).get("tokenSha256"))
                    ? Optional.of(name) : Optional.empty();
        } catch (IOException e) {
            // not the caller's fault: a 503 they retry, never a 401 that would make the app ask for a new token
            LOG.warn("Tokens cannot be checked: {}", e.getMessage());
            throw new ApiException(503, "store_unavailable",
                    "the sign-in records cannot be read right now: nothing was changed; retry shortly");
        }
    }

    @Override
    public String issue(String user) throws IOException {
        UserIds.require(user);
        String token = TokenFile.newToken();
        String hash = TokenFile.hash(token);
        // the lookup first: a crash before the user's record leaves a lookup that the user's record does not
        // confirm, which refuses the token; never a user's record naming a hash that cannot be found
        records.create(tokenKey(hash), Json.bytes(Map.of("user", user)));
        String[] replaced = new String[1];
        records.update(userKey(user), now -> {
            replaced[0] = now == null ? null : (String) Json.readMap(now).get("tokenSha256");
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("user", user);
            doc.put("tokenSha256", hash);
            return Json.bytes(doc);
        });
        if (replaced[0] != null && !replaced[0].equals(hash) && replaced[0].matches("[0-9a-f]{64}")) {
            try {
                records.delete(tokenKey(replaced[0]));
            } catch (IOException e) {
                // harmless: the user's record no longer confirms it, so the old token is refused anyway
                LOG.warn("The old token record of user {} stays behind: {}", user, e.getMessage());
            }
        }
        return token;
    }

    /**
     * Brings the users of a daemon's own token file into the store, hash for hash, so that switching a
     * daemon to a shared store (or adding one that has a token file) locks nobody out. A user the store
     * already knows keeps the store's token: the file's one is then refused, and the log says so.
     */
    public int adopt(Map<String, String> hashByUser) throws IOException {
        int adopted = 0;
        for (Map.Entry<String, String> e : hashByUser.entrySet()) {
            String user = e.getKey();
            String hash = e.getValue();
            if (!UserIds.isValid(user) || !hash.matches("[0-9a-f]{64}")) {
                continue;
            }
            boolean[] mine = new boolean[1];
            byte[] now = records.update(userKey(user), current -> {
                if (current != null) {
                    return null;
                }
                mine[0] = true;
                Map<String, Object> doc = new LinkedHashMap<>();
                doc.put("user", user);
                doc.put("tokenSha256", hash);
                return Json.bytes(doc);
            });
            if (mine[0] && now != null) {
                try {
                    records.create(tokenKey(hash), Json.bytes(Map.of("user", user)));
                } catch (BlobStore.BlobExistsException already) {
                    // written by an earlier start that stopped before the user's record: the same content
                }
                adopted++;
            } else if (!hash.equals(Json.readMap(records.read(userKey(user))).get("tokenSha256"))) {
                LOG.warn("User {} of the token file already has another token in the shared store: the file's token"
                        + " is refused; give the user the store's token or a new one with add-user", user);
            }
        }
        return adopted;
    }

    static String userKey(String user) {
        return "auth/users/" + UserIds.require(user) + ".json";
    }

    static String tokenKey(String hash) {
        return "auth/tokens/" + hash + ".json";
    }
}
