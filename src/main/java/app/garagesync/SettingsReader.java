package app.garagesync;

import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.ZoneId;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import org.apache.camel.CamelContext;

/**
 * Reads {@code garagesync.*} keys as the types the beans want. A value that does not parse stops the start
 * with the key, the value and what was expected ("garagesync.store.zstd-level = 'abc': not a whole
 * number"), instead of a bare NumberFormatException from somewhere inside the wiring.
 */
public final class SettingsReader {

    private final Function<String, String> raw;

    public SettingsReader(Function<String, String> raw) {
        this.raw = raw;
    }

    public static SettingsReader of(CamelContext context) {
        return new SettingsReader(key -> context.resolvePropertyPlaceholders("{{" + key + "}}"));
    }

    /** The text as written, blank allowed (an empty key means "off" for several settings). */
    public String text(String key) {
        return raw.apply(key);
    }

    public Path path(String key) {
        return parse(key, Path::of, "not a path");
    }

    public int integer(String key) {
        return parse(key, Integer::parseInt, "not a whole number");
    }

    public int integer(String key, int min) {
        int value = integer(key);
        if (value < min) {
            throw invalid(key, Integer.toString(value), "must be at least " + min);
        }
        return value;
    }

    public double decimal(String key) {
        return parse(key, Double::parseDouble, "not a number");
    }

    /** Only true or false: Boolean.parseBoolean would read a mistyped "yes" as false without a word. */
    public boolean flag(String key) {
        return parse(key, text -> switch (text.toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException(text);
        }, "not true or false");
    }

    public long bytes(String key) {
        return parse(key, ConfigSizes::bytes, "not a size (e.g. 50MB)");
    }

    public long bytesOrHeapShare(String key) {
        return parse(key, ConfigSizes::bytesOrHeapShare, "not a size or a share of the heap (e.g. 64MB, 10%)");
    }

    public Duration duration(String key) {
        return parse(key, ConfigSizes::duration, "not a duration (e.g. 5m, 30s, 500ms)");
    }

    /** A duration within [{@code min}, {@code max}] (written as in the file: "5m"): outside is refused, never clamped. */
    public Duration duration(String key, String min, String max) {
        Duration value = duration(key);
        if (value.compareTo(ConfigSizes.duration(min)) < 0 || value.compareTo(ConfigSizes.duration(max)) > 0) {
            throw invalid(key, raw.apply(key), "must be between " + min + " and " + max);
        }
        return value;
    }

    public ZoneId zone(String key) {
        return parse(key, ZoneId::of, "not a time zone (e.g. Europe/Paris)");
    }

    /** A comma-separated list, blanks dropped. */
    public List<String> list(String key) {
        return Arrays.stream(raw.apply(key).split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    private <T> T parse(String key, Function<String, T> parser, String expected) {
        String value = raw.apply(key);
        try {
            return parser.apply(value.trim());
        } catch (IllegalArgumentException | DateTimeException e) {
            throw invalid(key, value, expected);
        }
    }

    private static IllegalArgumentException invalid(String key, String value, String expected) {
        return new IllegalArgumentException(key + " = '" + value + "': " + expected);
    }
}
