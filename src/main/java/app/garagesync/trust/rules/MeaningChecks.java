package app.garagesync.trust.rules;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a backup means, checked against the rules file: references between collections hold, unique fields
 * are unique, numbered fields leave no gap. Valid JSON can still be a garage that lost its customers'
 * cars; these checks say so, record by record, as warnings on the version (never a refusal to store it).
 * Thread-safe: the rules are fixed once read.
 */
public final class MeaningChecks {

    /** At most this many findings per rule and version, then one line counting the rest. */
    static final int MAX_PER_RULE = 1000;

    private static final Pattern NUMBERED = Pattern.compile("(.*?)(\\d+)");

    private final List<Rule> rules;
    private final Map<String, Set<String>> wanted = new HashMap<>();

    public MeaningChecks(List<Rule> rules) {
        this.rules = List.copyOf(rules);
        for (Rule r : this.rules) {
            if (r instanceof Rule.Reference ref) {
                want(ref.collection(), ref.field());
                want(ref.targetCollection(), ref.targetField());
            } else if (r instanceof Rule.Unique u) {
                want(u.collection(), u.field());
            } else if (r instanceof Rule.Continuous c) {
                want(c.collection(), c.field());
            }
        }
    }

    /** The rules of {@code garagesync.trust.rules-file}, the built-in ones when it is blank. */
    public static MeaningChecks fromFile(String rulesFile) {
        return new MeaningChecks(RulesFile.read(rulesFile));
    }

    /** The rules as written, in file order. */
    public List<String> rules() {
        return rules.stream().map(Rule::text).toList();
    }

    /** Every finding of every rule on this backup document; empty when it means what it should. */
    public List<Finding> check(byte[] backupJson) {
        RecordFields data = RecordFields.read(backupJson, wanted);
        List<Finding> findings = new ArrayList<>();
        for (Rule r : rules) {
            List<Finding> found = r instanceof Rule.Reference ref ? references(ref, data)
                    : r instanceof Rule.Unique u ? unique(u, data)
                    : continuous((Rule.Continuous) r, data);
            if (found.size() > MAX_PER_RULE) {
                int more = found.size() - MAX_PER_RULE;
                found = new ArrayList<>(found.subList(0, MAX_PER_RULE));
                found.add(new Finding(r.text(), found.get(0).collection(), null, more + " more findings of this rule"));
            }
            findings.addAll(found);
        }
        return findings;
    }

    private void want(String collection, String field) {
        wanted.computeIfAbsent(collection, k -> new HashSet<>()).add(field);
    }

    private static List<Finding> references(Rule.Reference ref, RecordFields data) {
        Set<String> targets = new HashSet<>();
        for (RecordFields.Row row : data.rows(ref.targetCollection())) {
            String key = ref.targetField().equals("id") ? row.id() : row.fields().get(ref.targetField());
            if (key != null) {
                targets.add(key);
            }
        }
        List<Finding> out = new ArrayList<>();
        for (RecordFields.Row row : data.rows(ref.collection())) {
            String value = ref.field().equals("id") ? row.id() : row.fields().get(ref.field());
            if (value != null && !value.isEmpty() && !targets.contains(value)) {
                out.add(new Finding(ref.text(), ref.collection(), row.id(), ref.collection() + " " + row.id() + ": "
                        + ref.field() + " '" + value + "' names no record of " + ref.targetCollection()
                        + " (by " + ref.targetField() + ")"));
            }
        }
        return out;
    }

    private static List<Finding> unique(Rule.Unique rule, RecordFields data) {
        Map<String, String> firstHolder = new HashMap<>();
        List<Finding> out = new ArrayList<>();
        for (RecordFields.Row row : data.rows(rule.collection())) {
            String value = row.fields().get(rule.field());
            if (value == null) {
                continue;
            }
            String first = firstHolder.putIfAbsent(value, String.valueOf(row.id()));
            if (first != null) {
                out.add(new Finding(rule.text(), rule.collection(), row.id(), rule.collection() + " " + row.id() + ": "
                        + rule.field() + " '" + value + "' is also that of " + first));
            }
        }
        return out;
    }

    /** Within each prefix ("F-2026-"), the numbers sorted: a jump of more than one is a gap. */
    private static List<Finding> continuous(Rule.Continuous rule, RecordFields data) {
        Map<String, TreeMap<BigInteger, RecordFields.Row>> byPrefix = new TreeMap<>();
        for (RecordFields.Row row : data.rows(rule.collection())) {
            String value = row.fields().get(rule.field());
            Matcher m = value == null ? null : NUMBERED.matcher(value);
            if (m == null || !m.matches()) {
                continue;
            }
            byPrefix.computeIfAbsent(m.group(1), k -> new TreeMap<>()).putIfAbsent(new BigInteger(m.group(2)), row);
        }
        List<Finding> out = new ArrayList<>();
        byPrefix.forEach((prefix, numbers) -> {
            BigInteger previous = null;
            for (Map.Entry<BigInteger, RecordFields.Row> e : numbers.entrySet()) {
                if (previous != null && e.getKey().subtract(previous).compareTo(BigInteger.ONE) > 0) {
                    BigInteger missing = e.getKey().subtract(previous).subtract(BigInteger.ONE);
                    String after = e.getValue().fields().get(rule.field());
                    String before = numbers.get(previous).fields().get(rule.field());
                    out.add(new Finding(rule.text(), rule.collection(), e.getValue().id(), rule.collection() + " "
                            + e.getValue().id() + ": " + rule.field() + " '" + after + "' follows '" + before + "': "
                            + missing + (missing.equals(BigInteger.ONE) ? " number is" : " numbers are") + " missing"));
                }
                previous = e.getKey();
            }
        });
        return out;
    }
}
