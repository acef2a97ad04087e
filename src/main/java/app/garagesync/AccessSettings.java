package app.garagesync;

import java.nio.file.Path;
import java.util.Set;

/** Who the callers are and which of them administer ({@code garagesync.auth.*}, {@code garagesync.admin.users}). */
record AccessSettings(String authMode, Path tokensFile, Set<String> adminUsers) {

    static AccessSettings read(SettingsReader keys) {
        return new AccessSettings(keys.text("garagesync.auth.mode"), keys.path("garagesync.auth.tokens-file"),
                Set.copyOf(keys.list("garagesync.admin.users")));
    }
}
