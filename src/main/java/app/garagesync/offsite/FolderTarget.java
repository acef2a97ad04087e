package app.garagesync.offsite;

import app.garagesync.store.DurableFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.apache.camel.Exchange;

/**
 * The one operation of the {@code dir} target that Camel's file component lacks: deleting a file. The
 * template gives the folder ({@code GarageSyncRoot}) and the key; the file is removed and the folder
 * synced, so a pruned version does not come back after a power loss. A file already gone is fine.
 */
public final class FolderTarget {

    public void delete(Exchange exchange) throws IOException {
        Path root = Path.of(exchange.getMessage().getHeader("GarageSyncRoot", String.class)).toAbsolutePath().normalize();
        Path file = root.resolve(exchange.getMessage().getHeader(TargetContract.KEY, String.class)).normalize();
        if (!file.startsWith(root) || file.equals(root)) {
            throw new IllegalArgumentException("key outside the target folder");
        }
        try {
            Files.deleteIfExists(file);
            DurableFiles.syncDirectory(file.getParent());
        } catch (NoSuchFileException e) {
            // the folder itself is gone: nothing to delete
        }
    }
}
