package app.garagesync.records;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The latest versions searched lately, made ready for the next searches: the document's records as spans
 * and, per collection searched, the folded text of every record's string values in one string. Parsing a
 * 50 MB latest and folding its text takes far longer than a search may (issue 12: 100 ms over 180k
 * records), so it is done once per version, and a search is then a scan of text already folded.
 * Bounded by the size of the documents kept; a version stops being searched when a newer one is.
 */
final class SearchableVersions {

    /**
     * Memory kept for searching, in all (documents, and folded text at two bytes a character); the newest
     * searched is kept even when larger. A 50 MB garage alone goes past it: others' are then dropped.
     */
    static final long MAX_BYTES = 96L << 20;
    private static final JsonFactory FACTORY = new JsonFactory();
    /** Between two string values: a query (validated, no control character) never matches across it. */
    private static final char SEPARATOR = '\u0000';

    /** One version, ready to search. */
    static final class Searchable {
        final long version;
        final RecordSpans spans;
        private final Map<String, Folded> folded = new ConcurrentHashMap<>();

        Searchable(long version, RecordSpans spans) {
            this.version = version;
            this.spans = spans;
        }

        /** The collection's text, folded on its first search; null when the version has no such collection. */
        Folded collection(String name) {
            RecordSpans.Collection c = spans.collections.get(name);
            return c == null ? null : folded.computeIfAbsent(name, n -> Folded.of(spans.doc, c));
        }

        long bytes() {
            long total = spans.doc.length;
            for (Folded f : folded.values()) {
                total += 2L * f.text().length();
            }
            return total;
        }
    }

    /** A collection's records, and the folded text of their string values, record after record. */
    record Folded(String text, int[] starts, RecordSpans.Span[] records) {

        static Folded of(byte[] doc, RecordSpans.Collection c) {
            StringBuilder text = new StringBuilder();
            int[] starts = new int[c.records().size()];
            RecordSpans.Span[] records = c.records().values().toArray(RecordSpans.Span[]::new);
            for (int i = 0; i < records.length; i++) {
                starts[i] = text.length();
                RecordSpans.Span s = records[i];
                try (JsonParser p = FACTORY.createParser(doc, s.start(), s.end() - s.start())) {
                    for (JsonToken t; (t = p.nextToken()) != null; ) {
                        if (t == JsonToken.VALUE_STRING) {
                            text.append(TextMatch.fold(p.getText())).append(SEPARATOR);
                        }
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException("a stored record no longer parses", e);
                }
                text.append(SEPARATOR);
            }
            return new Folded(text.toString(), starts, records);
        }

        /** The records (in document order) with a string value containing {@code folded}, {@code max} at most. */
        List<RecordSpans.Span> find(String folded, int max) {
            List<RecordSpans.Span> out = new ArrayList<>();
            int from = 0;
            while (out.size() < max) {
                int at = text.indexOf(folded, from);
                if (at < 0) {
                    break;
                }
                int i = Arrays.binarySearch(starts, at);
                if (i < 0) {
                    i = -i - 2;
                }
                out.add(records[i]);
                from = i + 1 < starts.length ? starts[i + 1] : text.length();
            }
            return out;
        }
    }

    private final LinkedHashMap<String, Searchable> byUser = new LinkedHashMap<>(16, 0.75f, true);

    /** The user's version ready to search, made from {@code spans} when it is not kept already. */
    Searchable get(String user, long version, Supplier<RecordSpans> spans) {
        synchronized (byUser) {
            Searchable kept = byUser.get(user);
            if (kept != null && kept.version == version) {
                return kept;
            }
        }
        Searchable made = new Searchable(version, spans.get());
        keep(user, made);
        return made;
    }

    /** Whether the user searched lately (their latest is kept), and which collections. */
    List<String> searchedCollections(String user) {
        synchronized (byUser) {
            Searchable kept = byUser.get(user);
            return kept == null ? null : new ArrayList<>(kept.folded.keySet());
        }
    }

    private void keep(String user, Searchable made) {
        synchronized (byUser) {
            Searchable kept = byUser.get(user);
            if (kept != null && kept.version > made.version) {
                return; // a newer version was made meanwhile
            }
            byUser.put(user, made);
            long total = 0;
            for (Searchable s : byUser.values()) {
                total += s.bytes();
            }
            Iterator<Map.Entry<String, Searchable>> oldestFirst = byUser.entrySet().iterator();
            while (total > MAX_BYTES && oldestFirst.hasNext()) {
                Map.Entry<String, Searchable> e = oldestFirst.next();
                if (e.getValue() != made) {
                    total -= e.getValue().bytes();
                    oldestFirst.remove();
                }
            }
        }
    }
}
