package app.garagesync.backup;

import static org.assertj.core.api.Assertions.assertThat;

import app.garagesync.store.NumberIdKeys;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class NumericIdsTest {

    /** The key as BigDecimal makes it: what the integer shortcut must reproduce exactly. */
    private static String viaBigDecimal(String text) {
        BigDecimal value = new BigDecimal(text);
        BigDecimal canonical = value.signum() == 0 ? BigDecimal.ZERO : value.stripTrailingZeros();
        return "n:" + canonical.unscaledValue() + "e" + (-(long) canonical.scale());
    }

    @Test
    void the_integer_shortcut_gives_the_same_key_as_big_decimal() {
        List<String> texts = new ArrayList<>(List.of("0", "-0", "1", "-1", "10", "100", "-100", "123000",
                "999999999999999999", "100000000000000000", "-7000"));
        Random r = new Random(11);
        for (int i = 0; i < 20_000; i++) {
            long v = r.nextLong() % (long) Math.pow(10, 1 + r.nextInt(18));
            texts.add(Long.toString(r.nextBoolean() ? v / 1000 * 1000 : v));
        }
        for (String t : texts) {
            assertThat(NumberIdKeys.integerKey(t)).as(t).isEqualTo(viaBigDecimal(t));
        }
    }

    @Test
    void other_numbers_take_the_big_decimal_path_and_meet_their_integer_twins() {
        for (String t : new String[] {"1.0", "1e2", "1E+2", "-0.0", "0.5", "1234567890123456789012", "01"}) {
            assertThat(NumberIdKeys.integerKey(t)).as(t).isNull();
        }
        assertThat(NumericIds.key("1e2", "at")).isEqualTo(NumericIds.key("100", "at"));
        assertThat(NumericIds.key("1.0", "at")).isEqualTo(NumericIds.key("1", "at"));
        assertThat(NumericIds.key("-0.0", "at")).isEqualTo(NumericIds.key("0", "at"));
    }
}
