package app.garagesync.backup;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The hashed id set: every new hash taken, every repeat refused, across growth and emptying. */
class IdHashesTest {

    @Test
    void a_plain_integer_is_hashed_as_its_key_would_be() {
        java.util.Random r = new java.util.Random(41);
        java.util.List<String> texts = new java.util.ArrayList<>(java.util.List.of("0", "-0", "7", "-7", "10", "100",
                "1000000000000000000", "100000000000000000", "999999999999999999", "-120", "00", "01", "-01", "1.0",
                "1e3", "-", "", "12a", "1234567890123456789"));
        for (int i = 0; i < 5000; i++) {
            StringBuilder b = new StringBuilder(r.nextInt(4) == 0 ? "-" : "");
            int digits = 1 + r.nextInt(20);
            for (int d = 0; d < digits; d++) {
                b.append((char) ('0' + (d == 0 ? 1 + r.nextInt(9) : r.nextInt(3) == 0 ? 0 : r.nextInt(10))));
            }
            b.append("0".repeat(r.nextInt(12)));
            texts.add(b.toString());
        }
        int plain = 0;
        for (String text : texts) {
            char[] padded = ("xx" + text + "yy").toCharArray();
            long fast = IdHashes.ofIntegerText(padded, 2, text.length());
            String key = app.garagesync.store.NumberIdKeys.integerKey(text);
            if (key == null) {
                assertThat(fast).as(text).isZero();
            } else {
                long h = IdHashes.ofNumberKey(key);
                assertThat(fast).as(text).isEqualTo(h == 0 ? 1 : h);
                plain++;
            }
        }
        assertThat(plain).isGreaterThan(2000);
    }

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
