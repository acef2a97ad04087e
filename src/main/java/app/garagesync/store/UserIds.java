package app.garagesync.store;

import java.nio.file.Path;
import java.util.regex.Pattern;

/** The one place where a user id becomes a path: ids are checked here before touching the disk. */
public final class UserIds {

    private static final Pattern VALID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    private UserIds() {
    }

    public static boolean isValid(String id) {
        return id != null && VALID.matcher(id).matches() && !id.contains("..");
    }

    public static String require(String id) {
        if (!isValid(id)) {
            throw new InvalidUserIdException("user id: must match [A-Za-z0-9][A-Za-z0-9._-]{0,63} without '..'");
        }
        return id;
    }

    /** {@code <dataDir>/users/<id>}, for a valid id only. */
    public static Path directory(Path dataDir, String id) {
        return dataDir.resolve("users").resolve(require(id));
    }
}
