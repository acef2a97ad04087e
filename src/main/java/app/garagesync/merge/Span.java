package app.garagesync.merge;

/** A value's bytes [start, end) in one side's buffer ({@code name} says which side, for errors). */
record Span(String name, byte[] bytes, int start, int end) {

    static Span of(IndexedDocument side, Member m) {
        return m == null ? null : new Span(side.name, side.bytes, m.valueStart(), m.valueEnd());
    }

    static Span of(IndexedDocument side, Entity e) {
        return e == null ? null : new Span(side.name, side.bytes, e.start(), e.end());
    }

    /** A member of the object this span is. */
    static Span of(Span object, Member m) {
        return m == null ? null : new Span(object.name, object.bytes, m.valueStart(), m.valueEnd());
    }

    /** Whether two values, either of them absent (null), mean the same. */
    static boolean same(Span a, Span b) {
        if (a == null || b == null) {
            return a == b;
        }
        return JsonValues.same(a.name, a.bytes, a.start, a.end, b.name, b.bytes, b.start, b.end);
    }

    com.fasterxml.jackson.databind.JsonNode tree() {
        return JsonValues.tree(name, bytes, start, end);
    }

    boolean isNull() {
        return bytes[start] == 'n';
    }
}
