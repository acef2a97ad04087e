package app.garagesync.store.delta;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import app.garagesync.testing.EditableBackup;
import app.garagesync.testing.EditableBackup.Doc;
import static app.garagesync.testing.EditableBackup.edit;
import static app.garagesync.testing.EditableBackup.entity;
import static app.garagesync.testing.EditableBackup.initial;

class DeltaCodecTest {

    @Test
    void applying_the_delta_gives_the_new_document_byte_for_byte() {
        Random r = new Random(7);
        for (int trial = 0; trial < 300; trial++) {
            Doc parent = initial(r, r.nextInt(30));
            parent.pretty = r.nextBoolean();
            Doc child = parent.copy();
            for (int k = 0; k <= r.nextInt(6); k++) {
                edit(child, r);
            }
            byte[] p = parent.bytes();
            byte[] c = child.bytes();
            // either side without its ids, as a layout rebuilt from a delta or written by a merge has none
            Layout pl = withIdsOrNot(LayoutScanner.scan(p, p.length), r);
            assertThat(pl.materialize()).isEqualTo(p);
            byte[] delta = DeltaCodec.compute(pl, withIdsOrNot(LayoutScanner.scan(c, c.length), r));
            assertThat(DeltaCodec.apply(pl, delta).materialize()).as("trial %d", trial).isEqualTo(c);
        }
    }

    @Test
    void a_long_chain_of_deltas_reads_back_every_version_exactly() {
        Random r = new Random(11);
        Doc doc = initial(r, 200);
        byte[] first = doc.bytes();
        List<byte[]> versions = new ArrayList<>(List.of(first));
        List<byte[]> deltas = new ArrayList<>();
        Layout scanned = LayoutScanner.scan(first, first.length);
        for (int v = 1; v <= 60; v++) {
            for (int k = 0; k < 5; k++) {
                edit(doc, r);
            }
            byte[] next = doc.bytes();
            Layout nextLayout = LayoutScanner.scan(next, next.length);
            deltas.add(DeltaCodec.compute(scanned, nextLayout));
            versions.add(next);
            scanned = nextLayout;
        }
        Layout replayed = LayoutScanner.scan(first, first.length);
        for (int v = 1; v <= 60; v++) {
            replayed = DeltaCodec.apply(replayed, deltas.get(v - 1));
            assertThat(replayed.materialize()).as("version %d", v).isEqualTo(versions.get(v));
        }
    }

    @Test
    void a_small_edit_makes_a_small_delta() {
        Random r = new Random(3);
        Doc doc = initial(r, 2000);
        byte[] before = doc.bytes();
        List<String> customers = doc.collections.get("customers");
        customers.set(500, customers.get(500).replace("Élodie", "Jérôme"));
        doc.collections.get("repairs").add(entity(999_999, r));
        doc.collections.get("stock").remove(10);
        byte[] after = doc.bytes();
        Layout parent = LayoutScanner.scan(before, before.length);
        Layout child = LayoutScanner.scan(after, after.length);
        assertThat(before.length).isGreaterThan(500_000);
        assertThat(DeltaCodec.compute(parent, child).length).isLessThan(1000);
        // without ids (a merge's layout, a parent rebuilt from a delta) the records left in place are found too
        assertThat(DeltaCodec.compute(parent.withoutIds(), child.withoutIds()).length).isLessThan(1000);
        assertThat(DeltaCodec.compute(parent, child.withoutIds()).length).isLessThan(1000);
    }

    private static Layout withIdsOrNot(Layout layout, Random r) {
        return r.nextBoolean() ? layout : layout.withoutIds();
    }

    @Test
    void a_damaged_delta_is_refused_not_misapplied() {
        Random r = new Random(5);
        Doc doc = initial(r, 5);
        byte[] before = doc.bytes();
        edit(doc, r);
        byte[] after = doc.bytes();
        Layout pl = LayoutScanner.scan(before, before.length);
        byte[] delta = DeltaCodec.compute(pl, LayoutScanner.scan(after, after.length));
        assertThatThrownBy(() -> DeltaCodec.apply(pl, java.util.Arrays.copyOf(delta, delta.length - 3)))
                .isInstanceOf(IllegalArgumentException.class);
        byte[] bad = delta.clone();
        bad[0] = 'X';
        assertThatThrownBy(() -> DeltaCodec.apply(pl, bad)).isInstanceOf(IllegalArgumentException.class);
    }
}
