package app.garagesync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ConfigSizesTest {

    @Test
    void a_cache_bound_is_a_size_or_a_share_of_the_heap() {
        assertThat(ConfigSizes.bytesOrHeapShare("128MB")).isEqualTo(128L * 1024 * 1024);
        assertThat(ConfigSizes.bytesOrHeapShare(" 25% ")).isEqualTo((long) (Runtime.getRuntime().maxMemory() * 25.0 / 100));
        assertThat(ConfigSizes.bytesOrHeapShare("0%")).isZero();
        assertThatThrownBy(() -> ConfigSizes.bytesOrHeapShare("150%")).hasMessageContaining("share of the heap");
        assertThatThrownBy(() -> ConfigSizes.bytesOrHeapShare("lots")).hasMessageContaining("not a size");
    }
}
