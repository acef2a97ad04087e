package app.garagesync.sync;

import app.garagesync.api.ApiException;
import app.garagesync.api.RequestBodies;
import app.garagesync.api.Responses;
import app.garagesync.store.DurableFiles;
import app.garagesync.store.UserIds;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import app.garagesync.offsite.TargetContract;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.camel.Exchange;

/**
 * The receiving side of an {@code http} target: another garage-sync puts, gets and deletes objects by key under
 * {@code <data-dir>/replica/}, with the layout every target has ({@link RemoteLayout}). Server to server,
 * so it has its own token ({@code garagesync.replica.token}) instead of a user's; without one configured
 * every call is refused. Replicas are kept apart from this server's own users' versions.
 */
public final class ReplicaApi {

    private static final Pattern KEY = Pattern.compile(
            "users/([^/]{1,64})/(index\\.json|versions/\\d{10}(\\.json|\\.gsv|-\\d{10}\\.gsv))");

    private final Path root;
    private final byte[] token;
    private final RequestBodies bodies;

    public ReplicaApi(Path dataDir, String token, RequestBodies bodies) {
        this.root = dataDir.resolve("replica");
        this.token = token == null || token.isBlank() ? null : token.trim().getBytes(StandardCharsets.UTF_8);
        this.bodies = bodies;
    }

    /** PUT /api/replica?key=...: stores the body under the key, replacing it (writes are idempotent by key). */
    public void put(Exchange exchange) {
        Path file = authorizedFile(exchange);
        byte[] body = bodies.json(exchange, bodies.maxBackupSize());
        try {
            DurableFiles.createDirectories(file.getParent());
            DurableFiles.replace(file, body);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot store replica object " + file, e);
        }
        Responses.json(exchange, 200, Map.of("stored", true, "bytes", body.length));
    }

    /** DELETE /api/replica?key=...: removes what is stored under the key; nothing there is not an error. */
    public void delete(Exchange exchange) {
        Path file = authorizedFile(exchange);
        try {
            boolean deleted = Files.deleteIfExists(file);
            DurableFiles.syncDirectory(file.getParent());
            Responses.json(exchange, 200, Map.of("deleted", deleted));
        } catch (NoSuchFileException e) {
            Responses.json(exchange, 200, Map.of("deleted", false));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete replica object " + file, e);
        }
    }

    /** GET /api/replica?key=...: the bytes stored under the key, or 404; ?list=users/: the users held. */
    public void get(Exchange exchange) {
        if (exchange.getMessage().getHeader("list") != null) {
            list(exchange);
            return;
        }
        Path file = authorizedFile(exchange);
        try {
            Responses.rawJson(exchange, 200, Files.readAllBytes(file));
        } catch (NoSuchFileException e) {
            throw ApiException.notFound("nothing stored under that key");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read replica object " + file, e);
        }
    }

    /** The {@code list} operation of the target contract, for the one folder it is asked about: {@code {names: [...]}}. */
    private void list(Exchange exchange) {
        authorize(exchange.getMessage().getHeader("Authorization", String.class));
        if (!TargetContract.USERS_FOLDER.equals(exchange.getMessage().getHeader("list", String.class))) {
            throw ApiException.badRequest("list: only " + TargetContract.USERS_FOLDER + " can be listed");
        }
        Path users = root.resolve("users");
        List<String> names = new ArrayList<>();
        if (Files.isDirectory(users)) {
            try (Stream<Path> entries = Files.list(users)) {
                entries.map(p -> p.getFileName().toString()).filter(UserIds::isValid).sorted().forEach(names::add);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot list replica users", e);
            }
        }
        Responses.json(exchange, 200, Map.of("names", names));
    }

    private Path authorizedFile(Exchange exchange) {
        authorize(exchange.getMessage().getHeader("Authorization", String.class));
        String key = exchange.getMessage().getHeader("key", String.class);
        Matcher m = key == null ? null : KEY.matcher(key);
        if (m == null || !m.matches() || !UserIds.isValid(m.group(1))) {
            throw ApiException.badRequest("key: must look like users/<user>/index.json or users/<user>/versions/<10 digits>[-<10 digits>].gsv (or .json)");
        }
        return root.resolve(key);
    }

    /** Refuses anything but the replica token; the HTTP edge calls it too, before it reads a body. */
    public void authorize(String auth) {
        if (token == null) {
            throw new ApiException(403, "forbidden", "this server accepts no replicas (garagesync.replica.token is empty)");
        }
        if (auth == null || !auth.regionMatches(true, 0, "Bearer ", 0, 7)
                || !MessageDigest.isEqual(token, auth.substring(7).trim().getBytes(StandardCharsets.UTF_8))) {
            throw ApiException.unauthorized("a valid 'Authorization: Bearer <replica token>' header is required");
        }
    }
}
