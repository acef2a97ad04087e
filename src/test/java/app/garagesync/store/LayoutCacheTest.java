package app.garagesync.store;

import static org.assertj.core.api.Assertions.assertThat;

import app.garagesync.store.delta.Layout;
import app.garagesync.store.delta.LayoutScanner;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class LayoutCacheTest {

    private static Layout layoutOf(int entities) {
        StringBuilder b = new StringBuilder("{\"data\":{\"c\":[");
        for (int i = 0; i < entities; i++) {
            b.append(i == 0 ? "" : ",").append("{\"id\":").append(i).append(",\"n\":\"réparation\"}");
        }
        byte[] doc = b.append("]}}").toString().getBytes(StandardCharsets.UTF_8);
        return LayoutScanner.scan(doc, doc.length);
    }

    private static long weight(Layout l) {
        return l.size() + 12L * l.itemCount();
    }

    @Test
    void keeps_at_most_its_bytes_and_lets_the_least_recently_used_go_first() {
        Layout a = layoutOf(100);
        LayoutCache cache = new LayoutCache(weight(a) * 2);
        cache.put("anne", LayoutCache.Kind.LATEST, 1, a);
        cache.put("bruno", LayoutCache.Kind.LATEST, 4, layoutOf(100));
        assertThat(cache.bytes()).isEqualTo(2 * weight(a));
        // anne is used again: bruno is now the least recently used
        assertThat(cache.get("anne", LayoutCache.Kind.LATEST, 1)).isSameAs(a);
        cache.put("chloé", LayoutCache.Kind.CHECKPOINT, 2, layoutOf(100));
        assertThat(cache.get("bruno", LayoutCache.Kind.LATEST)).isNull();
        assertThat(cache.get("anne", LayoutCache.Kind.LATEST, 1)).isSameAs(a);
        assertThat(cache.get("chloé", LayoutCache.Kind.CHECKPOINT, 2)).isNotNull();
        assertThat(cache.bytes()).isLessThanOrEqualTo(2 * weight(a));
    }

    @Test
    void answers_only_for_the_version_it_holds_and_replaces_per_user_and_kind() {
        LayoutCache cache = new LayoutCache(1 << 20);
        cache.put("anne", LayoutCache.Kind.LATEST, 1, layoutOf(10));
        assertThat(cache.get("anne", LayoutCache.Kind.LATEST, 2)).isNull();
        assertThat(cache.get("anne", LayoutCache.Kind.CHECKPOINT, 1)).isNull();
        Layout newer = layoutOf(12);
        cache.put("anne", LayoutCache.Kind.LATEST, 2, newer);
        assertThat(cache.get("anne", LayoutCache.Kind.LATEST, 1)).isNull();
        assertThat(cache.get("anne", LayoutCache.Kind.LATEST, 2)).isSameAs(newer);
        assertThat(cache.bytes()).isEqualTo(weight(newer));
        cache.remove("anne", LayoutCache.Kind.LATEST);
        assertThat(cache.bytes()).isZero();
    }

    @Test
    void never_holds_a_layout_bigger_than_its_bound() {
        LayoutCache cache = new LayoutCache(100);
        cache.put("anne", LayoutCache.Kind.LATEST, 1, layoutOf(50));
        assertThat(cache.get("anne", LayoutCache.Kind.LATEST)).isNull();
        assertThat(cache.bytes()).isZero();
    }
}
