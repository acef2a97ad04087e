package app.garagesync;

import app.garagesync.edge.EdgeLimits;
import java.time.Duration;
import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * What the HTTP side accepts: body sizes and depth, CORS origins, and the edge's connection limits
 * ({@code garagesync.max-backup-size}, {@code garagesync.json.*}, {@code garagesync.cors.*},
 * {@code garagesync.http.*}).
 */
record HttpSettings(long maxBackupSize, int jsonMaxDepth, Duration sendStallTimeout, List<String> corsOrigins,
                    EdgeLimits edge) {

    static HttpSettings read(SettingsReader keys) {
        long maxBackupSize = keys.bytes("garagesync.max-backup-size");
        return new HttpSettings(maxBackupSize,
                keys.integer("garagesync.json.max-depth"),
                keys.duration("garagesync.http.send-stall-timeout"),
                keys.list("garagesync.cors.allowed-origins"),
                new EdgeLimits(
                        keys.duration("garagesync.http.idle-timeout"),
                        keys.duration("garagesync.http.header-timeout"),
                        keys.duration("garagesync.http.body-stall-timeout"),
                        keys.integer("garagesync.http.max-connections"),
                        bodyMemory(keys.bytesOrHeapShare("garagesync.http.body-memory"), maxBackupSize),
                        (int) keys.bytes("garagesync.http.max-header-size")));
    }

    private static long bodyMemory(long configured, long maxBackupSize) {
        if (configured < maxBackupSize) {
            // one backup of the largest size must always be receivable
            LoggerFactory.getLogger(HttpSettings.class).warn("garagesync.http.body-memory ({} bytes) is below "
                    + "garagesync.max-backup-size: raised to {} bytes so one backup of the largest size can always be received",
                    configured, maxBackupSize);
            return maxBackupSize;
        }
        return configured;
    }
}
