package app.garagesync.auth;

import java.io.IOException;
import java.util.Optional;

/**
 * Where the bearer tokens' hashes live: the token file of a daemon with its own store, or the records of a
 * store shared by several daemons. Both keep only a SHA-256 of each token, never the token.
 */
public sealed interface Tokens permits TokenFile, SharedTokens {

    /** The user this token belongs to, if any. */
    Optional<String> userFor(String token);

    /** Adds a user (or gives them a new token) and returns the token, shown once and never stored. */
    String issue(String user) throws IOException;
}
