package app.garagesync.store;

import java.util.Map;

/**
 * What validation learned about a backup while reading it once.
 *
 * @param contentHash SHA-256 of the document without its top-level {@code timestamp} value: two posts
 *                    that differ only by the client's send time are the same content; re-reading
 *                    a stored version and comparing it also verifies the copy (with zstd's own checksum
 *                    covering the timestamp bytes), so no second hash of 50 MB is paid on ingest
 * @param timestampStart byte offset of the top-level {@code timestamp} value, -1 when there is none
 */
public record BackupSummary(int totalRecords, Map<String, Integer> recordsByCollection, String backupTimestamp,
                            String contentHash, long size, long timestampStart) {
}
