package app.garagesync.store.delta;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Finds the entities of a backup that {@link app.garagesync.backup.BackupReader} already validated:
 * the arrays of {@code data} except {@code settings}, and the byte span and id of each entity.
 */
public final class LayoutScanner {

    private static final JsonFactory FACTORY = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(10_000).maxStringLength(Integer.MAX_VALUE).maxNumberLength(100_000).build())
            .build();

    private LayoutScanner() {
    }

    public static Layout scan(byte[] doc, int length) {
        try (JsonParser p = FACTORY.createParser(doc, 0, length)) {
            return scan(p, doc, length);
        } catch (IOException e) {
            throw new UncheckedIOException("a stored backup no longer parses", e);
        }
    }

    private static Layout scan(JsonParser p, byte[] doc, int length) throws IOException {
        List<int[]> regions = new ArrayList<>(); // removed item regions [from, to) in document offsets
        List<Object[]> found = new ArrayList<>();
        p.nextToken();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken v = p.nextToken();
            if ("data".equals(name) && v == JsonToken.START_OBJECT) {
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String collection = p.currentName();
                    JsonToken cv = p.nextToken();
                    if (cv == JsonToken.START_ARRAY && !"settings".equals(collection)) {
                        found.add(readCollection(p, collection, regions));
                    } else {
                        p.skipChildren();
                    }
                }
            } else {
                p.skipChildren();
            }
        }
        // the skeleton is the document without the item regions
        ByteArrayOutputStream skeleton = new ByteArrayOutputStream(Math.max(64, length / 64));
        int from = 0;
        List<Layout.Collection> collections = new ArrayList<>();
        int removed = 0;
        for (int k = 0; k < regions.size(); k++) {
            int[] r = regions.get(k);
            skeleton.write(doc, from, r[0] - from);
            from = r[1];
            Object[] f = found.get(k);
            int[] start = (int[]) f[1];
            int[] end = (int[]) f[2];
            byte[][] buffers = new byte[start.length][];
            Arrays.fill(buffers, doc);
            collections.add(new Layout.Collection((String) f[0], r[0] - removed, buffers, start, end, (String[]) f[3]));
            removed += r[1] - r[0];
        }
        skeleton.write(doc, from, length - from);
        return new Layout(skeleton.toByteArray(), collections);
    }

    private static Object[] readCollection(JsonParser p, String name, List<int[]> regions) throws IOException {
        int contentStart = (int) p.currentTokenLocation().getByteOffset() + 1;
        List<Integer> ends = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        while (p.nextToken() == JsonToken.START_OBJECT) {
            ids.add(readId(p));
            ends.add((int) p.currentLocation().getByteOffset());
        }
        int n = ends.size();
        int[] start = new int[n];
        int[] end = new int[n];
        for (int i = 0; i < n; i++) {
            start[i] = i == 0 ? contentStart : end[i - 1];
            end[i] = ends.get(i);
        }
        regions.add(new int[] {contentStart, n == 0 ? contentStart : end[n - 1]});
        return new Object[] {name, start, end, ids.toArray(new String[0])};
    }

    /** Reads one entity to its end and returns its id as a typed key, the same as validation uses. */
    private static String readId(JsonParser p) throws IOException {
        String id = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            boolean isId = "id".equals(p.currentName());
            JsonToken v = p.nextToken();
            if (isId && v == JsonToken.VALUE_STRING) {
                id = "s:" + p.getText();
            } else if (isId && v.isNumeric()) {
                id = "n:" + new BigDecimal(p.getText()).stripTrailingZeros().toPlainString();
            } else {
                p.skipChildren();
            }
        }
        return id;
    }
}
