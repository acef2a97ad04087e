package app.garagesync.merge;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One value the merge overwrote: both sides changed the same field of the same record differently, or
 * one side deleted a record the other edited.
 *
 * @param collection    a collection name under {@code data}, or {@code "garage"}, or {@code "settings"}
 *                      ({@code data.settings})
 * @param id            the record id as written (a String or a Number); null for garage and settings
 * @param field         the record's top-level field; null when the whole record is meant (deleted on one
 *                      side, edited on the other)
 * @param kept          the value in the merged document; null when the field is absent or deleted
 * @param overwritten   the value that lost; null when it was a deletion (the field or record absent)
 * @param overwrittenIn the version where the overwritten value stays readable (the latest's number)
 */
public record MergeConflict(String collection, Object id, String field, JsonNode kept, JsonNode overwritten,
                            long overwrittenIn) {
}
