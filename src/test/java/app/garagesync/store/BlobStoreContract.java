package app.garagesync.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What every {@link BlobStore} must do; each implementation's test extends this and says how to make one. */
abstract class BlobStoreContract {

    abstract BlobStore store() throws Exception;

    private static DurableFiles.Content text(String s) {
        return out -> out.write(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void create_is_create_only_and_reads_back() throws Exception {
        BlobStore s = store();
        assertThat(s.create("users/a/versions/0000000001.gsv", text("premier"))).isEqualTo(7);
        assertThatThrownBy(() -> s.create("users/a/versions/0000000001.gsv", text("second")))
                .isInstanceOf(BlobStore.BlobExistsException.class);
        assertThat(new String(s.read("users/a/versions/0000000001.gsv"), StandardCharsets.UTF_8)).isEqualTo("premier");
        assertThat(new String(s.readHead("users/a/versions/0000000001.gsv", 3), StandardCharsets.UTF_8)).isEqualTo("pre");
    }

    @Test
    void replace_overwrites_and_delete_removes() throws Exception {
        BlobStore s = store();
        s.replace("users/b/pruned", text("1\n"));
        s.replace("users/b/pruned", text("1\n2\n"));
        assertThat(new String(s.read("users/b/pruned"), StandardCharsets.UTF_8)).isEqualTo("1\n2\n");
        s.delete("users/b/pruned");
        assertThatThrownBy(() -> s.read("users/b/pruned")).isInstanceOf(NoSuchFileException.class);
        s.delete("users/b/pruned");
    }

    @Test
    void lists_blobs_and_folders_one_level_deep() throws Exception {
        BlobStore s = store();
        s.create("users/c/versions/0000000001.gsv", text("x"));
        s.create("users/c/versions/0000000002.gsv", text("yy"));
        s.create("users/d/versions/0000000001.gsv", text("z"));
        assertThat(s.list("users/c/versions/")).containsExactly(
                java.util.Map.entry("0000000001.gsv", 1L), java.util.Map.entry("0000000002.gsv", 2L));
        assertThat(s.list("users/none/versions/")).isEmpty();
        assertThat(s.folders("users/")).containsAll(List.of("c", "d"));
        assertThatThrownBy(() -> s.read("users/c/versions/0000000009.gsv")).isInstanceOf(NoSuchFileException.class);
    }
}
