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
 * @param merged          how a merged version came to be (a device's change since one version, applied
 *                        onto a later one); null for a version stored as sent
 */
public record VersionInfo(long id, Instant createdAt, String backupTimestamp, int totalRecords,
                          Map<String, Integer> recordsByCollection, long size, long storedSize,
                          String contentHash, MergeNote merged) {

    /** A version stored as sent, not merged. */
    public VersionInfo(long id, Instant createdAt, String backupTimestamp, int totalRecords,
                       Map<String, Integer> recordsByCollection, long size, long storedSize, String contentHash) {
        this(id, createdAt, backupTimestamp, totalRecords, recordsByCollection, size, storedSize, contentHash, null);
    }
}
