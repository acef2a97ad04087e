package app.garagesync.offsite;

import java.util.Map;

/**
 * One configured off-site target: {@code garagesync.target.<name>.type = <type>} and the other
 * {@code garagesync.target.<name>.*} keys as its options (kebab-case keys, as written by the operator).
 * Option values may be secrets: never log {@link #options()}.
 */
public record TargetConfig(String name, String type, Map<String, String> options) {

    /** The route template this target is made from: {@code target-<type>}, one YAML file per kind. */
    public String templateId() {
        return "target-" + type;
    }

    /** The endpoint the sync flows send to; the template's route consumes it. */
    public String endpointUri() {
        return "direct:target-" + name;
    }

    @Override
    public String toString() {
        // options left out on purpose: they hold access keys and tokens
        return "target " + name + " (" + type + ")";
    }
}
