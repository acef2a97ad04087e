package app.garagesync.backup;

import java.util.Map;

/**
 * What validation learned about a backup while reading it once.
 *
 * @param contentHash SHA-256 of the document without its top-level {@code timestamp} value: two posts
 *                    that differ only by the client's send time are the same content
 * @param sha256      SHA-256 of the exact bytes, kept to verify the stored copy later
 */
public record BackupSummary(int totalRecords, Map<String, Integer> recordsByCollection, String backupTimestamp,
                            String contentHash, String sha256, long size) {
}
