package app.garagesync.ops;

import io.micrometer.prometheusmetrics.PrometheusNamingConvention;

/**
 * Prometheus' naming with label names in snake_case. Camel tags its meters in camelCase ({@code routeId},
 * {@code camelContext}, {@code eventType}) whichever of its naming strategies is chosen (they rename meters,
 * not tags), and {@code promtool check metrics} warns on each such series; Prometheus' own convention is
 * snake_case ({@code route_id}), which this applies to every tag before the usual Prometheus rules.
 */
final class SnakeCaseLabels extends PrometheusNamingConvention {

    @Override
    public String tagKey(String key) {
        return super.tagKey(snakeCase(key));
    }

    static String snakeCase(String key) {
        StringBuilder out = new StringBuilder(key.length() + 4);
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (Character.isUpperCase(c)) {
                if (i > 0 && !Character.isUpperCase(key.charAt(i - 1)) && key.charAt(i - 1) != '.' && key.charAt(i - 1) != '_') {
                    out.append('_');
                }
                out.append(Character.toLowerCase(c));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
