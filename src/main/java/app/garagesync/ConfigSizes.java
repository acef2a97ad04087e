package app.garagesync;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses the human-friendly sizes ("50MB") and durations ("5m") used in application.properties. */
public final class ConfigSizes {

    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(B|KB|MB|GB|KIB|MIB|GIB)?");
    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)?");

    private ConfigSizes() {
    }

    public static long bytes(String text) {
        Matcher m = SIZE.matcher(text.trim().toUpperCase(Locale.ROOT));
        if (!m.matches()) {
            throw new IllegalArgumentException("not a size: '" + text + "' (expected e.g. 50MB)");
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "B" : m.group(2);
        return switch (unit) {
            case "B" -> n;
            case "KB", "KIB" -> n * 1024;
            case "MB", "MIB" -> n * 1024 * 1024;
            case "GB", "GIB" -> n * 1024 * 1024 * 1024;
            default -> throw new IllegalArgumentException(unit);
        };
    }

    /** A size ("128MB"), or a share of the heap the JVM may grow to ("25%"). */
    public static long bytesOrHeapShare(String text) {
        String t = text.trim();
        if (!t.endsWith("%")) {
            return bytes(t);
        }
        double percent = Double.parseDouble(t.substring(0, t.length() - 1).trim());
        if (percent < 0 || percent > 100) {
            throw new IllegalArgumentException("not a share of the heap: '" + text + "' (expected 0% to 100%)");
        }
        return (long) (Runtime.getRuntime().maxMemory() * percent / 100);
    }

    public static Duration duration(String text) {
        Matcher m = DURATION.matcher(text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("not a duration: '" + text + "' (expected e.g. 5m, 30s, 500ms)");
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "ms" : m.group(2);
        return switch (unit) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            case "d" -> Duration.ofDays(n);
            default -> throw new IllegalArgumentException(unit);
        };
    }
}
