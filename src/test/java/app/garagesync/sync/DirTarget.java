package app.garagesync.sync;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** A {@code dir} target in a temporary folder; an outage is the folder moved away and a file in its place. */
final class DirTarget implements TargetUnderTest {

    private final Path root;
    private final Path away;

    DirTarget(Path base) {
        this.root = base.resolve("nas");
        this.away = base.resolve("nas-unplugged");
    }

    @Override
    public String[] properties(String name) {
        return new String[] {"garagesync.target." + name + ".type", "dir", "garagesync.target." + name + ".path", root.toString()};
    }

    @Override
    public Map<String, String> snapshot() throws Exception {
        return TargetUnderTest.folderSnapshot(root);
    }

    @Override
    public byte[] read(String key) throws Exception {
        Path p = root.resolve(key);
        return Files.exists(p) ? Files.readAllBytes(p) : null;
    }

    @Override
    public void breakIt() throws Exception {
        Files.createDirectories(root);
        Files.move(root, away);
        Files.writeString(root, "not a folder: the disk is unplugged");
    }

    @Override
    public void repair() throws Exception {
        Files.delete(root);
        Files.move(away, root);
    }

    @Override
    public void close() {
    }
}
