package app.garagesync.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class PrunedIdsTest {

    @Test
    void adjacent_ids_merge_into_ranges() {
        PrunedIds ids = PrunedIds.none().with(List.of(3L, 4L, 5L, 9L)).with(List.of(6L, 8L, 1L));
        assertThat(text(ids)).isEqualTo("1\n3-6\n8-9\n");
        assertThat(ids.contains(2)).isFalse();
        assertThat(ids.contains(7)).isFalse();
        assertThat(ids.contains(6)).isTrue();
        assertThat(ids.contains(10)).isFalse();
    }

    /** A local record gets a line per forget, appended without fsync, and a power loss may cut its end. */
    @Test
    void reads_appended_ranges_in_any_order_and_leaves_out_a_torn_tail() {
        assertThat(text(PrunedIds.parse("5-9\n1\n10\n3\n2\n7-12\n20\n".getBytes(StandardCharsets.US_ASCII))))
                .isEqualTo("1-3\n5-12\n20\n");
        // a last line without its newline was not written whole
        assertThat(text(PrunedIds.parse("1-3\n12".getBytes(StandardCharsets.US_ASCII)))).isEqualTo("1-3\n");
        // zeros where the file grew but its bytes never reached the disk, from the middle of a line on
        byte[] torn = "1-3\n5\n7-8\n".getBytes(StandardCharsets.US_ASCII);
        torn = java.util.Arrays.copyOf(torn, torn.length + 6);
        torn[8] = 0;
        torn[9] = 0;
        assertThat(text(PrunedIds.parse(torn))).isEqualTo("1-3\n5\n");
        assertThat(PrunedIds.parse(new byte[6]).isEmpty()).isTrue();
        // damage inside the written lines is still damage
        assertThatThrownBy(() -> PrunedIds.parse("1-3\nx\n5\n".getBytes(StandardCharsets.US_ASCII)))
                .isInstanceOf(NumberFormatException.class);
    }

    @Test
    void reads_the_one_id_per_line_form_earlier_versions_wrote() {
        PrunedIds ids = PrunedIds.parse("2\n3\n4\n10\n".getBytes(StandardCharsets.US_ASCII));
        assertThat(text(ids)).isEqualTo("2-4\n10\n");
    }

    @Test
    void stays_as_long_as_the_gaps_between_kept_versions() {
        // a year of a shop posting every five minutes, keeping one version in 50
        PrunedIds ids = PrunedIds.none();
        for (long day = 0; day < 2000; day++) {
            List<Long> drop = new java.util.ArrayList<>();
            for (long id = day * 50 + 1; id < day * 50 + 50; id++) {
                drop.add(id);
            }
            ids = ids.with(drop);
        }
        assertThat(ids.format().length).isLessThan(2000 * 16);
        assertThat(ids.contains(50)).isFalse();
        assertThat(ids.contains(49)).isTrue();
    }

    @Test
    void agrees_with_a_plain_set_on_random_removals() {
        Random random = new Random(42);
        for (int round = 0; round < 200; round++) {
            Set<Long> expected = new TreeSet<>();
            PrunedIds ids = PrunedIds.none();
            for (int step = 0; step < 10; step++) {
                Set<Long> drop = new TreeSet<>();
                for (int i = random.nextInt(8); i > 0; i--) {
                    drop.add(1L + random.nextInt(60));
                }
                expected.addAll(drop);
                ids = ids.with(drop);
            }
            ids = PrunedIds.parse(ids.format());
            for (long id = 1; id <= 62; id++) {
                assertThat(ids.contains(id)).as("id %d in %s", id, ids).isEqualTo(expected.contains(id));
            }
        }
    }

    @Test
    void refuses_a_damaged_record() {
        assertThatThrownBy(() -> PrunedIds.parse("5-3\n".getBytes(StandardCharsets.US_ASCII)))
                .isInstanceOf(NumberFormatException.class);
        assertThatThrownBy(() -> PrunedIds.parse("x\n".getBytes(StandardCharsets.US_ASCII)))
                .isInstanceOf(NumberFormatException.class);
    }

    private static String text(PrunedIds ids) {
        return new String(ids.format(), StandardCharsets.US_ASCII);
    }
}
