package app.garagesync.store;

import java.util.regex.Pattern;

/** Where a user's versions, mark of numbers given and prune record live in the {@link BlobStore}. */
final class VersionKeys {

    static final Pattern VERSION_FILE = Pattern.compile("\\d{10}\\.gsv");

    private VersionKeys() {
    }

    static String versionsPrefix(String user) {
        return "users/" + UserIds.require(user) + "/versions/";
    }

    /** Whether a folder prefix ("users/anna/versions/") is a user's versions folder. */
    static boolean isVersionsFolder(String prefix) {
        return prefix.startsWith("users/") && prefix.endsWith("/versions/") && prefix.indexOf('/', 6) == prefix.length() - 10;
    }

    static String versionKey(String user, long id) {
        return versionsPrefix(user) + fileName(id);
    }

    static String issuedKey(String user) {
        return "users/" + UserIds.require(user) + "/issued";
    }

    static String prunedKey(String user) {
        return "users/" + UserIds.require(user) + "/pruned";
    }

    static String fileName(long id) {
        // on every write and read: String.format costs more than the rest of the key
        String digits = Long.toString(id);
        return "0".repeat(Math.max(0, 10 - digits.length())) + digits + ".gsv";
    }

    static VersionInfo withStoredSize(VersionInfo v, long storedSize) {
        return new VersionInfo(v.id(), v.createdAt(), v.backupTimestamp(), v.totalRecords(),
                v.recordsByCollection(), v.size(), storedSize, v.contentHash(), v.merged());
    }
}
