package app.garagesync.store;

import java.time.Instant;
import java.util.Map;

/**
 * What is known about one stored version without reading its data.
 *
 * @param id              per-user sequence number, 1 for the first version
 * @param createdAt       when the daemon stored it
 * @param backupTimestamp the {@code timestamp} the client wrote into the backup, if any
 * @param size            bytes of the JSON document as sent
 * @param storedSize      bytes on disk, compressed, header included
 * @param contentHash     SHA-256 of the document without its top-level timestamp, to detect re-posts
 */
public record VersionInfo(long id, Instant createdAt, String backupTimestamp, int totalRecords,
                          Map<String, Integer> recordsByCollection, long size, long storedSize,
                          String contentHash) {
}
