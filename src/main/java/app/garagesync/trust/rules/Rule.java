package app.garagesync.trust.rules;

/** One line of the rules file: what a backup must mean, beyond being valid JSON. */
sealed interface Rule {

    /** The rule as the operator wrote it, which findings quote. */
    String text();

    /** {@code from.field -> to.field}: every record's value of {@code field} (when present) names a record of {@code to}. */
    record Reference(String collection, String field, String targetCollection, String targetField) implements Rule {
        public String text() {
            return collection + "." + field + " -> " + targetCollection + "." + targetField;
        }
    }

    /** No two records of the collection share a value of the field. */
    record Unique(String collection, String field) implements Rule {
        public String text() {
            return "unique " + collection + "." + field;
        }
    }

    /**
     * The field's values, read as a prefix and a number ("F-2026-0041"), leave no gap within a prefix:
     * French law asks for unbroken invoice numbering.
     */
    record Continuous(String collection, String field) implements Rule {
        public String text() {
            return "continuous " + collection + "." + field;
        }
    }
}
