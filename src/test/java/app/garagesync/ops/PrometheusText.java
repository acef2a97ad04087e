package app.garagesync.ops;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A strict reader of the Prometheus text exposition format 0.0.4, with the lint rules of
 * {@code promtool check metrics}: every family has a help text, label names are snake_case, counters end in
 * {@code _total}. No Java library on Maven Central parses this format (the client libraries only write it),
 * so the test carries its own reader; it refuses what Prometheus' own parser refuses, and says where.
 */
final class PrometheusText {

    private static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern LABEL = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
    private static final Pattern SNAKE = Pattern.compile("[a-z_][a-z0-9_]*");
    private static final Pattern VALUE = Pattern.compile("[+-]?(Inf|NaN|[0-9]*\\.?[0-9]+([eE][+-]?[0-9]+)?|[0-9]+\\.)");
    private static final Set<String> TYPES = Set.of("counter", "gauge", "histogram", "summary", "untyped");

    /** One sample line: the family it belongs to, its labels in order, its value. */
    record Sample(String family, String name, Map<String, String> labels, double value) {
    }

    final Map<String, String> types = new LinkedHashMap<>();
    final Map<String, String> help = new LinkedHashMap<>();
    final List<Sample> samples = new ArrayList<>();
    /** Format errors: Prometheus would refuse the scrape. */
    final List<String> errors = new ArrayList<>();
    /** promtool's lint warnings. */
    final List<String> warnings = new ArrayList<>();

    static PrometheusText parse(String text) {
        PrometheusText t = new PrometheusText();
        t.read(text);
        return t;
    }

    private void read(String text) {
        if (!text.isEmpty() && !text.endsWith("\n")) {
            errors.add("the last line does not end with a line feed");
        }
        Set<String> series = new HashSet<>();
        Set<String> sampled = new HashSet<>();
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            String where = "line " + (i + 1) + ": ";
            if (line.isEmpty()) {
                continue;
            }
            if (line.startsWith("#")) {
                String[] parts = line.split(" ", 4);
                if (parts.length >= 3 && (parts[1].equals("HELP") || parts[1].equals("TYPE"))) {
                    String family = parts[2];
                    if (!NAME.matcher(family).matches()) {
                        errors.add(where + "bad metric name '" + family + "'");
                    }
                    if (sampled.contains(family)) {
                        errors.add(where + parts[1] + " of " + family + " after its samples");
                    }
                    Map<String, String> into = parts[1].equals("HELP") ? help : types;
                    if (into.containsKey(family)) {
                        errors.add(where + "second " + parts[1] + " for " + family);
                    }
                    String rest = parts.length == 4 ? parts[3] : "";
                    if (parts[1].equals("TYPE") && !TYPES.contains(rest)) {
                        errors.add(where + "unknown type '" + rest + "'");
                    }
                    into.put(family, rest);
                }
                continue;
            }
            Sample s = sample(line, where);
            if (s == null) {
                continue;
            }
            sampled.add(s.family());
            samples.add(s);
            if (!series.add(s.name() + s.labels())) {
                errors.add(where + "duplicate series " + s.name() + s.labels());
            }
        }
        lint();
    }

    private Sample sample(String line, String where) {
        Matcher name = NAME.matcher(line);
        if (!name.lookingAt()) {
            errors.add(where + "no metric name: " + line);
            return null;
        }
        String metric = name.group();
        int at = name.end();
        Map<String, String> labels = new LinkedHashMap<>();
        if (at < line.length() && line.charAt(at) == '{') {
            at++;
            while (at < line.length() && line.charAt(at) != '}') {
                Matcher label = LABEL.matcher(line).region(at, line.length());
                if (!label.lookingAt()) {
                    errors.add(where + "bad label name at column " + (at + 1));
                    return null;
                }
                String key = label.group();
                at = label.end();
                if (!line.startsWith("=\"", at)) {
                    errors.add(where + "label " + key + " without =\"value\"");
                    return null;
                }
                at += 2;
                StringBuilder value = new StringBuilder();
                while (at < line.length() && line.charAt(at) != '"') {
                    char c = line.charAt(at++);
                    if (c == '\\') {
                        char e = at < line.length() ? line.charAt(at++) : ' ';
                        if (e != '\\' && e != '"' && e != 'n') {
                            errors.add(where + "bad escape \\" + e + " in label " + key);
                            return null;
                        }
                        value.append(e == 'n' ? '\n' : e);
                    } else {
                        value.append(c);
                    }
                }
                if (at >= line.length()) {
                    errors.add(where + "unterminated value of label " + key);
                    return null;
                }
                at++;
                if (labels.put(key, value.toString()) != null) {
                    errors.add(where + "label " + key + " twice");
                }
                if (at < line.length() && line.charAt(at) == ',') {
                    at++;
                }
            }
            if (at >= line.length()) {
                errors.add(where + "labels not closed");
                return null;
            }
            at++;
        }
        String[] rest = line.substring(at).trim().split(" ");
        if (!line.startsWith(" ", at) || rest.length < 1 || rest.length > 2 || !VALUE.matcher(rest[0]).matches()
                || (rest.length == 2 && !rest[1].matches("-?[0-9]+"))) {
            errors.add(where + "bad value or timestamp: " + line.substring(at));
            return null;
        }
        String v = rest[0].replace("Inf", "Infinity");
        return new Sample(family(metric), metric, labels, Double.parseDouble(v));
    }

    /** The family a sample belongs to: {@code x_bucket}, {@code x_sum}, {@code x_count} belong to x when x is a histogram or summary. */
    private String family(String metric) {
        for (String suffix : new String[] {"_bucket", "_sum", "_count", "_max"}) {
            if (metric.endsWith(suffix)) {
                String base = metric.substring(0, metric.length() - suffix.length());
                String type = types.get(base);
                if ("histogram".equals(type) || "summary".equals(type)) {
                    return base;
                }
            }
        }
        return metric;
    }

    private void lint() {
        Map<String, Boolean> seen = new HashMap<>();
        for (Sample s : samples) {
            if (seen.put(s.family(), true) == null) {
                String h = help.get(s.family());
                if (h == null || h.isBlank()) {
                    warnings.add(s.family() + ": no help text");
                }
                if ("counter".equals(types.get(s.family())) && !s.family().endsWith("_total")) {
                    warnings.add(s.family() + ": counter metrics should have \"_total\" suffix");
                }
            }
            for (String key : s.labels().keySet()) {
                if (!SNAKE.matcher(key).matches()) {
                    warnings.add(s.name() + ": label names should be written in 'snake_case' not 'camelCase': " + key);
                }
            }
        }
    }
}
