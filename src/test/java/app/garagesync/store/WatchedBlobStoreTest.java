package app.garagesync.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The decorator health relies on keeps the store's contract, and its probe leaves nothing behind. */
class WatchedBlobStoreTest extends BlobStoreContract {

    @TempDir
    Path dir;

    @Override
    BlobStore store() {
        return new WatchedBlobStore(new FileBlobStore(dir));
    }

    @Test
    void a_probe_that_goes_through_leaves_no_file_and_a_failing_folder_is_probed_until_it_works() throws Exception {
        WatchedBlobStore store = new WatchedBlobStore(new FileBlobStore(dir));
        assertThat(store.probe().up()).isTrue();
        try (Stream<Path> left = Files.list(dir.resolve("users"))) {
            assertThat(left.toList()).isEmpty();
        }

        Path versions = Files.createDirectories(dir.resolve("users/anna")).resolve("versions");
        Files.writeString(versions, "a file where the folder should be");
        assertThatThrownBy(() -> store.create("users/anna/versions/0000000001.gsv", out -> out.write(1)))
                .isInstanceOf(StoreUnavailableException.class);
        WatchedBlobStore.Probe down = store.probe();
        assertThat(down.up()).isFalse();
        assertThat(down.failures()).containsOnlyKeys("users/anna/versions/").containsValue("Not a directory");

        Files.delete(versions);
        assertThat(store.probe().up()).isTrue();
        assertThat(store.list("users/anna/versions/")).isEmpty();
    }
}
