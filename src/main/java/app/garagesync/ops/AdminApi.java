package app.garagesync.ops;

import app.garagesync.api.Responses;
import app.garagesync.auth.RequestIdentity;
import app.garagesync.store.BackupStore;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.camel.Exchange;

/**
 * Operator endpoints. The users named in {@code garagesync.admin.users} act on every user's data;
 * anyone else acts on their own only, so a token never reaches another user's versions.
 */
public final class AdminApi {

    private final BackupStore store;
    private final StoreVerifier verifier;
    private final Set<String> admins;

    public AdminApi(BackupStore store, StoreVerifier verifier, Set<String> admins) {
        this.store = store;
        this.verifier = verifier;
        this.admins = admins;
    }

    /** POST /api/admin/verify: {"ok", "users", "versions", "problems": [{user, version, problem}]}. */
    public void verify(Exchange exchange) {
        String caller = exchange.getProperty(RequestIdentity.USER, String.class);
        List<String> scope = admins.contains(caller) ? store.users() : List.of(caller);
        StoreVerifier.Report report = verifier.verify(scope);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("ok", report.ok());
        body.put("users", report.users());
        body.put("versions", report.versions());
        body.put("problems", report.problems());
        Responses.json(exchange, 200, body);
    }
}
