package app.garagesync.merge;

/**
 * One record of a collection: its typed id key ("s:" + text for a string, "n:" + canonical digits for
 * a number, so 1 and 1.0 are one record and "1" another), its object's bytes [start, end), and its id
 * value's bytes [idStart, idEnd) as written; {@code previousEnd} is where the record before it in the
 * array ends (-1 for the first), so a run of untouched records is copied with the bytes between them.
 */
record Entity(String key, int start, int end, int idStart, int idEnd, int previousEnd) {
}
