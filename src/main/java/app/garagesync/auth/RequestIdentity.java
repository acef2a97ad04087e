package app.garagesync.auth;

import app.garagesync.api.ApiException;
import app.garagesync.store.UserIds;
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
    private final TokenFile tokens;

    public RequestIdentity(String mode, TokenFile tokens) {
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

    private String userOf(Exchange exchange) {
        if ("header".equals(mode)) {
            String id = exchange.getMessage().getHeader("X-User-Id", String.class);
            if (id == null || id.isBlank()) {
                return DEFAULT_USER;
            }
            return UserIds.require(id.trim());
        }
        String auth = exchange.getMessage().getHeader("Authorization", String.class);
        if (auth == null || !auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw ApiException.unauthorized("an 'Authorization: Bearer <token>' header is required");
        }
        return tokens.userFor(auth.substring(7).trim())
                .orElseThrow(() -> ApiException.unauthorized("the token is not valid"));
    }
}
