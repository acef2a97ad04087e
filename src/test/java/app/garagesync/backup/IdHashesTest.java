package app.garagesync.backup;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The hashed id set: every new hash taken, every repeat refused, across growth and emptying. */
class IdHashesTest {

    @Test
    void takes_each_hash_once_through_growth_and_clear() {
        IdHashes set = new IdHashes();
        for (int round = 0; round < 2; round++) {
            for (long i = 0; i < 300_000; i++) {
                assertThat(set.add(i * 0x9E3779B97F4A7C15L)).isTrue();
            }
            assertThat(set.add(0)).isFalse();
            assertThat(set.add(299_999 * 0x9E3779B97F4A7C15L)).isFalse();
            set.clear();
        }
    }

    @Test
    void a_string_id_and_a_number_id_of_the_same_text_hash_apart() {
        char[] one = "1".toCharArray();
        assertThat(IdHashes.ofString(one, 0, 1)).isNotEqualTo(IdHashes.ofNumberKey("1"));
        char[] ab = "xaby".toCharArray();
        assertThat(IdHashes.ofString(ab, 1, 2)).isEqualTo(IdHashes.ofString("ab".toCharArray(), 0, 2));
    }
}
