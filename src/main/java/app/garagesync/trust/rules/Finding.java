package app.garagesync.trust.rules;

/**
 * One thing a meaning check found wrong in a backup: a warning on that version, never a reason to refuse it.
 *
 * @param rule       the rule as written in the rules file, e.g. {@code vehicles.customerId -> customers.id}
 * @param collection the collection of the record at fault
 * @param id         that record's id as written in JSON (a string's text, a number's digits); null when
 *                   the finding concerns no single record (a gap between two invoice numbers)
 * @param message    what is wrong, in words, naming the values involved
 */
public record Finding(String rule, String collection, String id, String message) {
}
