package app.garagesync;

/**
 * The meaning checks' rules file and the mass-deletion guard ({@code garagesync.trust.*},
 * {@code garagesync.guard.*}; docs/trust.md).
 *
 * @param rulesFile   the operator's rules file, blank for the built-in rules
 * @param maxDrop     share of a collection's records a new version may lose unflagged, 0 to 1
 * @param holdOffsite a flagged version (and every later one) stays off the targets until confirmed
 */
record TrustSettings(String rulesFile, double maxDrop, boolean holdOffsite) {

    static TrustSettings read(SettingsReader keys) {
        String text = keys.text("garagesync.guard.max-drop").trim();
        double share;
        try {
            double value = Double.parseDouble(text.endsWith("%") ? text.substring(0, text.length() - 1).trim() : text);
            share = text.endsWith("%") ? value / 100 : value;
        } catch (NumberFormatException e) {
            share = -1;
        }
        if (!(share >= 0 && share < 1)) {
            throw new IllegalArgumentException("garagesync.guard.max-drop = '" + text
                    + "': not a share from 0% to 99% (e.g. 20%)");
        }
        return new TrustSettings(keys.text("garagesync.trust.rules-file").trim(), share,
                keys.flag("garagesync.guard.hold-offsite"));
    }
}
