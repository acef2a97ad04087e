package app.garagesync.merge;

/** One member of a JSON object: its decoded name and where its bytes are ({@code "name": value} is [start, valueEnd)). */
record Member(String name, int start, int valueStart, int valueEnd) {
}
