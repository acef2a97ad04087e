package app.garagesync;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where each setting comes from, lowest first: the built-in defaults (the jar's application.properties),
 * the operator's application.properties in the working directory, environment variables, {@code -D}.
 * Camel reads the operator's file itself (an optional location); it is read here as well so that a file
 * that exists but cannot be read stops start-up instead of being skipped (a skipped file could leave
 * {@code garagesync.auth.mode} at {@code header} while the operator believes token mode is on), so that a
 * mistyped {@code garagesync.*} key is named loudly, and so that the log says which source each value
 * that differs from the defaults came from.
 */
final class OperatorProperties {

    private static final Logger LOG = LoggerFactory.getLogger(OperatorProperties.class);

    /** The file the docs and the systemd unit tell operators to write, relative to the working directory. */
    static final Path FILE = Path.of("application.properties");

    /** Keys that are a family, not a fixed list: each target's options. */
    private static final Pattern FAMILY = Pattern.compile("garagesync\\.target\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9._-]+");

    /** Parts of a key whose value is never written to the log. */
    private static final Pattern SECRET = Pattern.compile("secret|token|password|passphrase|access-key|credential",
            Pattern.CASE_INSENSITIVE);

    private final Path file;
    private final Properties values;

    private OperatorProperties(Path file, Properties values) {
        this.file = file;
        this.values = values;
    }

    /** The operator's file, or none when it does not exist; one that exists but cannot be read is an error. */
    static OperatorProperties read(Path file) {
        Properties values = new Properties();
        if (Files.exists(file)) {
            try (InputStream in = Files.newInputStream(file)) {
                values.load(in);
            } catch (IOException | IllegalArgumentException e) {
                throw new IllegalStateException("cannot read the settings file " + file.toAbsolutePath() + ": "
                        + StartupFailure.reason(e));
            }
        }
        return new OperatorProperties(file, values);
    }

    /** The keys of the jar's application.properties: every key the daemon knows has its default there. */
    static Properties builtInDefaults() {
        Properties defaults = new Properties();
        try (InputStream in = OperatorProperties.class.getResourceAsStream("/application.properties")) {
            if (in != null) {
                defaults.load(in);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return defaults;
    }

    Properties values() {
        return values;
    }

    /** {@code garagesync.*} keys of this file that the daemon does not know: most likely typos. */
    List<String> unknownKeys(Set<String> known) {
        return unknown(values.stringPropertyNames(), known);
    }

    static List<String> unknown(Set<String> keys, Set<String> known) {
        List<String> unknown = new ArrayList<>();
        for (String key : new TreeSet<>(keys)) {
            if (key.startsWith("garagesync.") && !known.contains(key) && !FAMILY.matcher(key).matches()) {
                unknown.add(key);
            }
        }
        return unknown;
    }

    /**
     * Logs where every value that is not a built-in default comes from, and warns about unknown keys
     * (a typo in a security key, {@code garagesync.auth.mdoe}, would otherwise leave the default in force
     * without a word).
     */
    void log(Properties defaults, Map<String, String> environment, Properties system) {
        Set<String> known = defaults.stringPropertyNames();
        if (values.isEmpty()) {
            LOG.info("Settings: built-in defaults; no {} in the working directory {}", FILE,
                    Path.of("").toAbsolutePath());
        } else {
            LOG.info("Settings: built-in defaults, overridden by {}", file.toAbsolutePath());
        }
        for (String key : new TreeSet<>(values.stringPropertyNames())) {
            String value = values.getProperty(key);
            if (!value.equals(defaults.getProperty(key))) {
                LOG.info("  {} = {} (from {})", key, shown(key, value), file.toAbsolutePath());
            }
        }
        for (String key : new TreeSet<>(known)) {
            String variable = environmentName(key);
            if (environment.get(variable) != null && system.getProperty(key) == null) {
                LOG.info("  {} = {} (from the environment variable {})", key, shown(key, environment.get(variable)), variable);
            }
        }
        Set<String> fromCommandLine = new TreeSet<>();
        for (String key : system.stringPropertyNames()) {
            if (key.startsWith("garagesync.") || key.startsWith("camel.")) {
                fromCommandLine.add(key);
            }
        }
        for (String key : fromCommandLine) {
            LOG.info("  {} = {} (from -D on the command line)", key, shown(key, system.getProperty(key)));
        }
        for (String key : unknownKeys(known)) {
            LOG.warn("UNKNOWN SETTING {} in {}: garage-sync has no such key, so it changes nothing (a typo?{})",
                    key, file.toAbsolutePath(), closest(key, known));
        }
        for (String key : unknown(fromCommandLine, known)) {
            LOG.warn("UNKNOWN SETTING -D{}: garage-sync has no such key, so it changes nothing (a typo?{})",
                    key, closest(key, known));
        }
    }

    /** GARAGESYNC_DATA_DIR for garagesync.data-dir. */
    static String environmentName(String key) {
        return key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    private static String shown(String key, String value) {
        return SECRET.matcher(key).find() && !value.isEmpty() ? "********" : value;
    }

    /** " did you mean garagesync.auth.mode?" for a key a couple of letters away from a known one. */
    static String closest(String key, Set<String> known) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : known) {
            int d = distance(key, candidate);
            if (d < bestDistance) {
                bestDistance = d;
                best = candidate;
            }
        }
        return best != null && bestDistance <= 3 ? " did you mean " + best + "?" : "";
    }

    private static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                current[j] = Math.min(Math.min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
