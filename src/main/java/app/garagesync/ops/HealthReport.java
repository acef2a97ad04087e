package app.garagesync.ops;

import app.garagesync.api.Responses;
import app.garagesync.store.WatchedBlobStore;
import app.garagesync.store.BackupStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeSet;
import org.apache.camel.Exchange;

/**
 * GET /api/health: UP when the data directory has room and the store takes a write where versions are
 * written (a probe, not a look at permissions: root may write anywhere a chmod forbids, and a read-only
 * mount or an unreachable S3 store does not show in them); 503 with what is down otherwise.
 */
public final class HealthReport {

    private final Path dataDir;
    private final long minFreeBytes;
    private final WatchedBlobStore blobs;
    private final BackupStore store;

    public HealthReport(Path dataDir, long minFreeBytes, WatchedBlobStore blobs, BackupStore store) {
        this.blobs = blobs;
        this.dataDir = dataDir;
        this.minFreeBytes = minFreeBytes;
        this.store = store;
    }

    public void check(Exchange exchange) {
        Map<String, Object> checks = new LinkedHashMap<>();
        boolean up = true;
        Map<String, Object> disk = new LinkedHashMap<>();
        try {
            long free = Files.getFileStore(dataDir).getUsableSpace();
            boolean writable = Files.isWritable(dataDir);
            disk.put("status", writable && free >= minFreeBytes ? "UP" : "DOWN");
            disk.put("writable", writable);
            disk.put("freeBytes", free);
            disk.put("minFreeBytes", minFreeBytes);
            up = writable && free >= minFreeBytes;
        } catch (IOException e) {
            disk.put("status", "DOWN");
            disk.put("error", "data directory unreadable: " + e.getMessage());
            up = false;
        }
        checks.put("dataDir", disk);
        WatchedBlobStore.Probe probe = blobs.probe();
        Map<String, Object> writes = new LinkedHashMap<>();
        writes.put("status", probe.up() ? "UP" : "DOWN");
        if (!probe.up()) {
            // folders name users: their count and the causes here, the folders in the log of each failed request
            writes.put("failingFolders", probe.failures().size());
            writes.put("errors", new TreeSet<>(probe.failures().values()));
            up = false;
        }
        checks.put("store", writes);
        Map<String, Object> compression = compression();
        checks.put("compression", compression);
        up &= "UP".equals(compression.get("status"));
        checks.put("camel", Map.of("status", exchange.getContext().getStatus().isStarted() ? "UP" : "DOWN"));
        boolean damaged = versions(checks);
        Map<String, Object> body = new LinkedHashMap<>();
        // a damaged version is no outage: the daemon still stores and serves, so 200, but never "UP"
        body.put("status", !up ? "DOWN" : damaged ? "DEGRADED" : "UP");
        body.put("checks", checks);
        Responses.json(exchange, up ? 200 : 503, body);
    }

    /** The zstd native library every stored version goes through (loaded at start, or the start fails). */
    private static Map<String, Object> compression() {
        boolean loaded = com.github.luben.zstd.util.Native.isLoaded();
        Map<String, Object> check = new LinkedHashMap<>();
        check.put("status", loaded ? "UP" : "DOWN");
        check.put("zstdNative", loaded);
        return check;
    }

    /** Adds the versions check; true when some version is damaged. Counts only: health names no user. */
    private boolean versions(Map<String, Object> checks) {
        Map<String, Object> versions = new LinkedHashMap<>();
        int count;
        try {
            count = store.damagedEverywhere().values().stream().mapToInt(Map::size).sum();
        } catch (RuntimeException e) {
            versions.put("status", "UNKNOWN");
            versions.put("error", "versions cannot be listed: " + e.getMessage());
            checks.put("versions", versions);
            return true;
        }
        versions.put("status", count == 0 ? "UP" : "DAMAGED");
        versions.put("damagedVersions", count);
        if (count > 0) {
            versions.put("message", count + " stored version(s) damaged: POST /api/admin/verify names them; restore them from a target");
        }
        checks.put("versions", versions);
        return count > 0;
    }
}
