package app.garagesync.sync;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/** One off-site target as the shared sync contract tests drive it: configure, observe, break, repair. */
interface TargetUnderTest extends AutoCloseable {

    /** The daemon properties that configure this target under the given name. */
    String[] properties(String name);

    /** Every key the target holds now, with a fingerprint that changes when the key is written again. */
    Map<String, String> snapshot() throws Exception;

    /** {@link #snapshot} of a target whose keys are the files under {@code root}. */
    static Map<String, String> folderSnapshot(Path root) throws IOException {
        Map<String, String> keys = new TreeMap<>();
        if (!Files.isDirectory(root)) {
            return keys;
        }
        try (Stream<Path> files = Files.walk(root)) {
            for (Path p : files.filter(Files::isRegularFile).toList()) {
                BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
                keys.put(root.relativize(p).toString().replace('\\', '/'),
                        a.size() + "@" + a.lastModifiedTime().toMillis() + "#" + a.fileKey());
            }
        }
        return keys;
    }

    /** The bytes under a key, or null. */
    byte[] read(String key) throws Exception;

    /** Makes the target refuse every operation, as an outage does. */
    void breakIt() throws Exception;

    /** Ends the outage, keeping what the target held. */
    void repair() throws Exception;

    @Override
    void close() throws Exception;
}
