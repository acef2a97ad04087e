package app.garagesync.ops;

import app.garagesync.api.Responses;
import app.garagesync.store.BackupStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.camel.Exchange;

/** GET /api/health: UP when the data directory can take writes and has room, 503 with what is down otherwise. */
public final class HealthReport {

    private final Path dataDir;
    private final long minFreeBytes;
    private final BackupStore store;

    public HealthReport(Path dataDir, long minFreeBytes, BackupStore store) {
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
        checks.put("camel", Map.of("status", exchange.getContext().getStatus().isStarted() ? "UP" : "DOWN"));
        boolean damaged = versions(checks);
        Map<String, Object> body = new LinkedHashMap<>();
        // a damaged version is no outage: the daemon still stores and serves, so 200, but never "UP"
        body.put("status", !up ? "DOWN" : damaged ? "DEGRADED" : "UP");
        body.put("checks", checks);
        Responses.json(exchange, up ? 200 : 503, body);
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
