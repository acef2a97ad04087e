package app.garagesync.backup;

import app.garagesync.store.BackupSummary;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Answers "unchanged" to a re-post of the latest version for the price of a hash instead of a full
 * validation (a client that syncs every few minutes mostly re-sends what it sent last time).
 *
 * <p>Why it is safe: after a backup was validated, we remember where its timestamp value starts
 * ({@code at}) and its content hash (SHA-256 of everything but that value). A new body whose value
 * at the same offset is a valid scalar, and whose bytes around it hash the same, is the validated
 * document with only its timestamp replaced: same bytes before {@code at}, same bytes after the value.
 * Anything else (no remembered backup, another latest version, a timestamp that is not a plain
 * scalar, a different hash) goes through the full validation as before.
 */
final class RepostShortcut {

    private record Known(long version, long at, String contentHash) {
    }

    private final BackupReader reader;
    private final Map<String, Known> byUser = new ConcurrentHashMap<>();

    RepostShortcut(BackupReader reader) {
        this.reader = reader;
    }

    /** After a full validation: {@code summary} describes the body that now matches {@code version}. */
    void remember(String user, long version, BackupSummary summary) {
        byUser.put(user, new Known(version, summary.timestampStart(), summary.contentHash()));
    }

    boolean remembers(String user) {
        return byUser.containsKey(user);
    }

    /** True when {@code json} is the content of {@code latestVersion} with at most another timestamp. */
    boolean isRepost(String user, long latestVersion, byte[] json, int length) {
        Known known = byUser.get(user);
        if (known == null || known.version() != latestVersion) {
            return false;
        }
        if (known.at() < 0) {
            return BackupReader.contentHash(json, length, -1, -1).equals(known.contentHash());
        }
        int start = (int) known.at();
        int end = scalarEnd(json, length, start);
        if (end < 0 || !BackupReader.contentHash(json, length, start, end).equals(known.contentHash())) {
            return false;
        }
        return validTimestamp(json, start, end);
    }

    /** End of the string, number or literal starting at {@code start}; -1 for anything else. */
    private static int scalarEnd(byte[] json, int length, int start) {
        if (start >= length) {
            return -1;
        }
        int i = start;
        if (json[i] == '"') {
            for (i++; i < length; i++) {
                if (json[i] == '\\') {
                    i++;
                } else if (json[i] == '"') {
                    return i + 1;
                }
            }
            return -1;
        }
        while (i < length && (Character.isLetterOrDigit(json[i]) || json[i] == '-' || json[i] == '+' || json[i] == '.')) {
            i++;
        }
        return i == start || i - start > 1000 ? -1 : i;
    }

    /** The value passes the same checks as in a full backup (JSON, UTF-8, limits). */
    private boolean validTimestamp(byte[] json, int start, int end) {
        byte[] head = "{\"timestamp\":".getBytes(StandardCharsets.US_ASCII);
        byte[] tail = ",\"data\":{}}".getBytes(StandardCharsets.US_ASCII);
        byte[] probe = new byte[head.length + (end - start) + tail.length];
        System.arraycopy(head, 0, probe, 0, head.length);
        System.arraycopy(json, start, probe, head.length, end - start);
        System.arraycopy(tail, 0, probe, head.length + end - start, tail.length);
        try {
            BackupSummary s = reader.read(probe);
            // exactly one scalar value: the probe's timestamp spans what we took for the value
            return s.timestampStart() == head.length;
        } catch (RuntimeException invalid) {
            return false;
        }
    }
}
