package app.garagesync.ops;

import app.garagesync.api.Responses;
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

    public HealthReport(Path dataDir, long minFreeBytes) {
        this.dataDir = dataDir;
        this.minFreeBytes = minFreeBytes;
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
        Map<String, Object> compression = compression();
        checks.put("compression", compression);
        up &= "UP".equals(compression.get("status"));
        checks.put("camel", Map.of("status", exchange.getContext().getStatus().isStarted() ? "UP" : "DOWN"));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", up ? "UP" : "DOWN");
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
}
