package app.garagesync.trust.rules;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;

/**
 * Reads the rules file ({@code garagesync.trust.rules-file}, or the built-in {@code rules.yaml}): three
 * lists, {@code references} ({@code vehicles.customerId -> customers.id}), {@code unique} and
 * {@code continuous} ({@code invoices.number}). Read with the YAML node API (snakeyaml-engine, which the
 * YAML routes already use) rather than into maps, so a mistake is reported with its line: a rules file
 * that does not say what it should stops the start, it is never half applied.
 */
public final class RulesFile {

    /** The key naming the operator's file; empty for the built-in rules. */
    public static final String KEY = "garagesync.trust.rules-file";

    private static final String BUILT_IN = "rules.yaml";
    private static final Pattern NAME = Pattern.compile("[A-Za-z_$][A-Za-z0-9_$-]*");
    private static final Pattern FIELD = Pattern.compile("\\s*(" + NAME + ")\\.(" + NAME + ")\\s*");
    private static final Pattern REFERENCE = Pattern.compile(FIELD + "->" + FIELD);

    private RulesFile() {
    }

    /** The operator's rules, or the built-in ones when {@code file} is blank. */
    public static List<Rule> read(String file) {
        if (file == null || file.isBlank()) {
            try (InputStream in = RulesFile.class.getResourceAsStream(BUILT_IN)) {
                return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), "built-in " + BUILT_IN);
            } catch (IOException e) {
                throw new IllegalStateException("built-in " + BUILT_IN + " cannot be read", e);
            }
        }
        String text;
        try {
            text = Files.readString(Path.of(file.trim()), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalArgumentException(KEY + " = '" + file + "': cannot be read (" + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage()) + ")");
        }
        return parse(text, KEY + " = '" + file + "'");
    }

    /** The rules in {@code text}; {@code where} names the file in errors. */
    static List<Rule> parse(String text, String where) {
        Optional<Node> root;
        try {
            LoadSettings settings = LoadSettings.builder().setLabel(where).build();
            root = new Compose(settings).composeString(text);
        } catch (MarkedYamlEngineException e) {
            int line = e.getProblemMark().map(m -> m.getLine() + 1).orElse(0);
            throw new IllegalArgumentException(where + ": line " + line + ": not valid YAML (" + e.getProblem() + ")");
        } catch (YamlEngineException e) {
            throw new IllegalArgumentException(where + ": not valid YAML (" + e.getMessage() + ")");
        }
        if (root.isEmpty()) {
            return List.of(); // an empty file: the operator switched every check off
        }
        if (!(root.get() instanceof MappingNode top)) {
            throw invalid(where, root.get(), "expected the sections references, unique and continuous");
        }
        List<Rule> rules = new ArrayList<>();
        for (NodeTuple section : top.getValue()) {
            String name = scalar(where, section.getKeyNode());
            Node value = section.getValueNode();
            if (value instanceof ScalarNode s && s.getValue().isEmpty()) {
                continue; // "unique:" with nothing under it
            }
            if (!(value instanceof SequenceNode list)) {
                throw invalid(where, value, "'" + name + "' must be a list (lines starting with '- ')");
            }
            for (Node item : list.getValue()) {
                rules.add(rule(where, name, section.getKeyNode(), item));
            }
        }
        return List.copyOf(rules);
    }

    private static Rule rule(String where, String section, Node sectionNode, Node item) {
        String text = scalar(where, item);
        switch (section) {
            case "references" -> {
                Matcher m = REFERENCE.matcher(text);
                if (!m.matches()) {
                    throw invalid(where, item, "'" + text + "' is not a reference like 'vehicles.customerId -> customers.id'");
                }
                return new Rule.Reference(m.group(1), m.group(2), m.group(3), m.group(4));
            }
            case "unique", "continuous" -> {
                Matcher m = FIELD.matcher(text);
                if (!m.matches()) {
                    throw invalid(where, item, "'" + text + "' is not a field like 'invoices.number'");
                }
                return section.equals("unique") ? new Rule.Unique(m.group(1), m.group(2))
                        : new Rule.Continuous(m.group(1), m.group(2));
            }
            default -> throw invalid(where, sectionNode,
                    "unknown section '" + section + "' (expected references, unique or continuous)");
        }
    }

    private static String scalar(String where, Node node) {
        if (node instanceof ScalarNode s) {
            return s.getValue();
        }
        throw invalid(where, node, "expected a single line of text here");
    }

    private static IllegalArgumentException invalid(String where, Node node, String what) {
        int line = node.getStartMark().map(Mark::getLine).orElse(-1) + 1;
        return new IllegalArgumentException(where + ": line " + line + ": " + what);
    }
}
