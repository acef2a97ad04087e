package app.garagesync.offsite;

import app.garagesync.store.DurableFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.camel.Exchange;

/**
 * The operations of the {@code dir} target that Camel's file component lacks: deleting a file, listing a
 * folder. The template gives the folder ({@code GarageSyncRoot}) and the key. A deleted file's folder is
 * synced, so a pruned version does not come back after a power loss; a file already gone is fine.
 */
public final class FolderTarget {

    public void delete(Exchange exchange) throws IOException {
        Path file = inside(exchange);
        try {
            Files.deleteIfExists(file);
            DurableFiles.syncDirectory(file.getParent());
        } catch (NoSuchFileException e) {
            // the folder itself is gone: nothing to delete
        }
    }

    /** The names directly in the key's folder ({@link TargetContract#LIST}); none when it does not exist. */
    public void list(Exchange exchange) throws IOException {
        Path root = root(exchange);
        Path folder = inside(exchange);
        if (!Files.isDirectory(root)) {
            // an unplugged disk or an unmounted share: a failing target, not one that holds nothing
            throw new NoSuchFileException(root.toString(), null, "the target folder is missing");
        }
        List<String> names = new ArrayList<>();
        if (Files.isDirectory(folder)) {
            try (Stream<Path> entries = Files.list(folder)) {
                entries.forEach(p -> names.add(p.getFileName().toString()));
            }
        }
        exchange.getMessage().setBody(names);
    }

    private static Path root(Exchange exchange) {
        return Path.of(exchange.getMessage().getHeader("GarageSyncRoot", String.class)).toAbsolutePath().normalize();
    }

    private static Path inside(Exchange exchange) {
        Path root = root(exchange);
        Path file = root.resolve(exchange.getMessage().getHeader(TargetContract.KEY, String.class)).normalize();
        if (!file.startsWith(root) || file.equals(root)) {
            throw new IllegalArgumentException("key outside the target folder");
        }
        return file;
    }
}
