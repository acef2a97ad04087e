package app.garagesync.auth;

import app.garagesync.api.ApiException;
import app.garagesync.store.UserIds;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import org.apache.camel.Exchange;

/**
 * Who is calling. {@code header} mode is the seed's: the {@code X-User-Id} header, or the user
 * {@code default} without one; it trusts the caller and fits a single garage on localhost. {@code token}
 * mode requires {@code Authorization: Bearer <token>} and is the one for anything exposed.
 */
public final class RequestIdentity {

    public static final String USER = "garagesync.user";
    public static final String DEFAULT_USER = "default";

    private final String mode;
    private final Tokens tokens;

    public RequestIdentity(String mode, Tokens tokens) {
        if (!"header".equals(mode) && !"token".equals(mode)) {
            throw new IllegalArgumentException("garagesync.auth.mode must be 'header' or 'token', got '" + mode + "'");
        }
        this.mode = mode;
        this.tokens = tokens;
    }

    /** Sets the exchange property {@value #USER}, or refuses the request. */
    public void resolve(Exchange exchange) {
        exchange.setProperty(USER, userOf(exchange));
    }

    public String mode() {
        return mode;
    }

    /**
     * The user a token-mode {@code Authorization} header names, or a 401. The HTTP edge calls this before
     * it reads a body, so a caller without a valid token cannot make the daemon hold 50 MB for it.
     */
    public String userForAuthorization(String auth) {
        if (auth == null || !auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw ApiException.unauthorized("an 'Authorization: Bearer <token>' header is required");
        }
        return tokens.userFor(auth.substring(7).trim())
                .orElseThrow(() -> ApiException.unauthorized("the token is not valid"));
    }

    private String userOf(Exchange exchange) {
        String query = exchange.getMessage().getHeader(Exchange.HTTP_RAW_QUERY, String.class);
        if (query == null) {
            query = exchange.getMessage().getHeader(Exchange.HTTP_QUERY, String.class);
        }
        return userOf(exchange.getMessage().getHeader("X-User-Id", String.class),
                exchange.getMessage().getHeader("Authorization", String.class), query);
    }

    /**
     * The caller from the request's own {@code X-User-Id} and {@code Authorization} headers and raw query
     * string (any may be null), or a refusal: what {@link #resolve} does, for a handler on the HTTP server
     * itself (the event stream of changes) that has no exchange.
     */
    public String userOf(String userIdHeader, String authorizationHeader, String rawQuery) {
        // Camel turns query parameters into headers: "?Authorization=Bearer%20..." would read as the header
        // (and put the token in every access log), so a credential in the URL is refused outright
        refuseInQuery(rawQuery, "Authorization");
        refuseInQuery(rawQuery, "X-User-Id");
        if ("header".equals(mode)) {
            if (userIdHeader == null || userIdHeader.isBlank()) {
                return DEFAULT_USER;
            }
            return UserIds.require(userIdHeader.trim());
        }
        return userForAuthorization(authorizationHeader);
    }

    private static void refuseInQuery(String query, String name) {
        if (query == null) {
            return;
        }
        for (String pair : query.split("&")) {
            String key = pair.split("=", 2)[0];
            try {
                key = URLDecoder.decode(key, StandardCharsets.UTF_8);
            } catch (IllegalArgumentException badEscape) {
                // compared as sent
            }
            if (key.trim().equalsIgnoreCase(name)) {
                throw ApiException.badRequest("'" + name + "' is only accepted as a request header, never in the URL");
            }
        }
    }
}
