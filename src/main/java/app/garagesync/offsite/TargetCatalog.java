package app.garagesync.offsite;

import app.garagesync.api.ApiException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The targets named by {@code garagesync.target.<name>.type} keys, with their options. Names become route
 * ids, endpoint names and folder names (the spool), so they are checked here, once.
 */
public final class TargetCatalog {

    public static final String PREFIX = "garagesync.target.";
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,31}");
    private static final Pattern TYPE = Pattern.compile("[a-z0-9][a-z0-9-]{0,31}");

    private final Map<String, TargetConfig> byName;
    private final Duration s3AttemptTimeout;

    private TargetCatalog(Map<String, TargetConfig> byName, Duration s3AttemptTimeout) {
        this.byName = byName;
        this.s3AttemptTimeout = s3AttemptTimeout;
    }

    /**
     * @param keys             every property key known (files, overrides, system properties)
     * @param resolver         resolves a key to its final value (overrides and {@code {{env:...}}} applied)
     * @param s3AttemptTimeout how long one try against an S3 target may take ({@code garagesync.sync.s3.attempt-timeout})
     */
    public static TargetCatalog from(Collection<String> keys, Function<String, String> resolver, Duration s3AttemptTimeout) {
        TreeSet<String> names = new TreeSet<>();
        for (String key : keys) {
            if (key.startsWith(PREFIX) && key.endsWith(".type")) {
                names.add(key.substring(PREFIX.length(), key.length() - ".type".length()));
            }
        }
        Map<String, TargetConfig> targets = new TreeMap<>();
        for (String name : names) {
            if (!NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("target name '" + name + "' in " + PREFIX + name
                        + ".type: use lower-case letters, digits and '-' (at most 32)");
            }
            String type = resolver.apply(PREFIX + name + ".type").trim();
            if (type.isEmpty()) {
                continue; // an emptied type switches a target off without deleting its options
            }
            if (!TYPE.matcher(type).matches()) {
                throw new IllegalArgumentException(PREFIX + name + ".type: '" + type + "' is not a target type");
            }
            Map<String, String> options = new TreeMap<>();
            String own = PREFIX + name + ".";
            for (String key : keys) {
                if (key.startsWith(own) && !key.equals(own + "type")) {
                    options.put(key.substring(own.length()), resolver.apply(key));
                }
            }
            targets.put(name, new TargetConfig(name, type, Map.copyOf(options)));
        }
        return new TargetCatalog(targets, s3AttemptTimeout);
    }

    /** Keys of a Properties object and of the JVM's system properties, for {@link #from}. */
    public static List<String> keysOf(Properties... sources) {
        List<String> keys = new ArrayList<>();
        for (Properties p : sources) {
            keys.addAll(p.stringPropertyNames());
        }
        keys.addAll(System.getProperties().stringPropertyNames());
        return keys;
    }

    /** How long one try (one HTTP request) against an S3 target may take before it fails. */
    public Duration s3AttemptTimeout() {
        return s3AttemptTimeout;
    }

    public Collection<TargetConfig> all() {
        return byName.values();
    }

    public Optional<TargetConfig> find(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    /** The target a client named, or a 400 that lists the configured ones. */
    public TargetConfig require(String name) {
        if (name == null || !byName.containsKey(name)) {
            throw ApiException.badRequest("target: no target named '" + (name == null ? "" : abbreviate(name))
                    + "'; configured: " + byName.keySet());
        }
        return byName.get(name);
    }

    private static String abbreviate(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "..." : s;
    }
}
