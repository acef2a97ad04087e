package app.garagesync.web;

import app.garagesync.api.Responses;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.apache.camel.Exchange;
import org.apache.camel.Message;

/**
 * Serves the console's files from the classpath folder {@code web/}: one flat folder, no sub-folders,
 * so a file name is a single path segment and anything else (dots first, slashes, backslashes, percent
 * escapes that Vert.x decoded into them) is refused before the classpath is asked.
 *
 * <p>The files have no content hash in their names (there is no build step), so browsers must revalidate
 * each time: {@code Cache-Control: no-cache} with a strong ETag, answered 304 when unchanged. That costs a
 * round trip on localhost and never serves a stale console after an upgrade.
 */
public final class StaticFiles {

    /** A name the console's folder may hold: starts with a letter or digit, then letters, digits, . _ - */
    private static final Pattern SAFE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");

    private static final Map<String, String> TYPES = Map.of(
            "html", "text/html; charset=utf-8",
            "js", "text/javascript; charset=utf-8",
            "css", "text/css; charset=utf-8",
            "svg", "image/svg+xml",
            "png", "image/png",
            "ico", "image/x-icon",
            "json", "application/json; charset=utf-8",
            "webmanifest", "application/manifest+json");

    /**
     * Only this daemon's own origin: the console loads nothing from elsewhere, and a page that tried
     * (an injected script, a mistake in a later edit) is stopped by the browser.
     */
    static final String CONTENT_SECURITY_POLICY = "default-src 'self'; img-src 'self' data:; "
            + "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

    private final String folder;
    private final String index;
    private final Map<String, Resource> cache = new ConcurrentHashMap<>();

    public StaticFiles() {
        this("web", "index.html");
    }

    StaticFiles(String folder, String index) {
        this.folder = folder;
        this.index = index;
    }

    /** GET / : the console page. */
    public void index(Exchange exchange) {
        send(exchange, index);
    }

    /** GET /{file}: one of the console's files, or a 404. */
    public void file(Exchange exchange) {
        send(exchange, exchange.getMessage().getHeader("file", String.class));
    }

    private void send(Exchange exchange, String name) {
        Message m = exchange.getMessage();
        String ifNoneMatch = m.getHeader("If-None-Match", String.class);
        // request headers would be echoed back by Camel's HTTP consumer
        m.removeHeaders("*");
        Optional<Resource> found = name != null && SAFE_NAME.matcher(name).matches() && type(name) != null
                ? find(name)
                : Optional.empty();
        if (found.isEmpty()) {
            // JSON like every other error of the daemon (the mapper escapes the client's text)
            Map<String, Object> error = new LinkedHashMap<>();
            error.put("error", "not_found");
            error.put("message", "no such path: /" + (name == null ? "" : name));
            error.put("status", 404);
            Responses.json(exchange, 404, error);
            return;
        }
        Resource r = found.get();
        m.setHeader("ETag", r.etag());
        m.setHeader("Cache-Control", "no-cache");
        m.setHeader("X-Content-Type-Options", "nosniff");
        m.setHeader("Referrer-Policy", "no-referrer");
        if (name.endsWith(".html")) {
            m.setHeader("Content-Security-Policy", CONTENT_SECURITY_POLICY);
        }
        if (ifNoneMatch != null && ifNoneMatch.contains(r.etag())) {
            m.setHeader(Exchange.HTTP_RESPONSE_CODE, 304);
            m.setBody(null);
            return;
        }
        m.setHeader(Exchange.HTTP_RESPONSE_CODE, 200);
        m.setHeader(Exchange.CONTENT_TYPE, r.contentType());
        m.setBody(Responses.body(r.bytes()));
    }

    /** Found files are kept; misses are not, or requests for made-up names would fill the memory. */
    private Optional<Resource> find(String name) {
        Resource known = cache.get(name);
        if (known != null) {
            return Optional.of(known);
        }
        Optional<Resource> loaded = load(name);
        loaded.ifPresent(r -> cache.put(name, r));
        return loaded;
    }

    private Optional<Resource> load(String name) {
        try (InputStream in = StaticFiles.class.getClassLoader().getResourceAsStream(folder + "/" + name)) {
            if (in == null) {
                return Optional.empty();
            }
            byte[] bytes = in.readAllBytes();
            return Optional.of(new Resource(bytes, type(name), etag(bytes)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the console file " + name, e);
        }
    }

    static String type(String name) {
        int dot = name.lastIndexOf('.');
        return dot < 0 ? null : TYPES.get(name.substring(dot + 1));
    }

    private static String etag(byte[] bytes) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(bytes);
            return "\"" + HexFormat.of().formatHex(hash, 0, 16) + "\"";
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }

    private record Resource(byte[] bytes, String contentType, String etag) {
    }
}
