package app.garagesync.merge;

/** A value's bytes [start, end) in one side's document. */
record Span(IndexedDocument side, int start, int end) {

    static Span of(IndexedDocument side, Member m) {
        return m == null ? null : new Span(side, m.valueStart(), m.valueEnd());
    }

    static Span of(IndexedDocument side, Entity e) {
        return e == null ? null : new Span(side, e.start(), e.end());
    }

    /** Whether two values, either of them absent (null), mean the same. */
    static boolean same(Span a, Span b) {
        if (a == null || b == null) {
            return a == b;
        }
        return JsonValues.same(a.side.name, a.side.bytes, a.start, a.end, b.side.name, b.side.bytes, b.start, b.end);
    }

    com.fasterxml.jackson.databind.JsonNode tree() {
        return JsonValues.tree(side.name, side.bytes, start, end);
    }

    boolean isNull() {
        return side.bytes[start] == 'n';
    }
}
