package app.garagesync.store.delta;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LayoutScannerTest {

    /** Ids as the app writes them and as anyone may: first or not, strings with escapes, numbers, spaces. */
    private static final String[] IDS = {"\"c1\"", "\"c\\\"q\"", "\"\\u00e9\"", "\"\"", "12", "-1.5e3", "1.0", "true",
        "null", "{\"a\":1}", "[1,2]", "\"back\\\\\""};

    @Test
    void the_id_of_an_item_read_alone_is_the_one_the_scan_finds() {
        Random r = new Random(17);
        int read = 0;
        for (int trial = 0; trial < 2000; trial++) {
            List<String> entities = new ArrayList<>();
            for (int i = 0; i <= r.nextInt(4); i++) {
                entities.add(entity(r));
            }
            String sep = r.nextBoolean() ? "," : " ,\n  ";
            byte[] doc = ("{\"data\":{\"customers\":[" + (r.nextBoolean() ? " " : "") + String.join(sep, entities) + "]}}")
                    .getBytes(StandardCharsets.UTF_8);
            Layout layout = LayoutScanner.scan(doc, doc.length);
            Layout.Items items = layout.items().get(0);
            for (int i = 0; i < items.start().length; i++) {
                // an item begins with the separator before its entity: read as a layout without ids reads it
                assertThat(LayoutScanner.entityId(doc, items.start()[i], items.end()[i]))
                        .as("%s, item %d", new String(doc, StandardCharsets.UTF_8), i).isEqualTo(items.ids()[i]);
                read++;
            }
        }
        assertThat(read).isGreaterThan(2000);
    }

    private static String entity(Random r) {
        String id = IDS[r.nextInt(IDS.length)];
        String name = "\"name\":\"n" + r.nextInt(9) + "\"";
        return switch (r.nextInt(5)) {
            case 0 -> "{" + name + ",\"id\":" + id + "}";
            case 1 -> "{ \"id\" : " + id + " ," + name + "}";
            case 2 -> "{\"id\":" + id + "}";
            case 3 -> "{" + name + "}";
            default -> "{\"id\":" + id + "," + name + "}";
        };
    }
}
