package app.garagesync.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A real small filesystem (tmpfs) mounted on a folder for one test, so that "disk full" and "remounted
 * read-only" are the kernel's own answers (ENOSPC, EROFS), which hold for root too, unlike a chmod.
 * Needs the right to mount (root in the build sandbox); {@link #mount} is empty where it is missing,
 * and the test then says so through an assumption instead of pretending.
 */
public final class SmallDisk implements AutoCloseable {

    private final Path dir;

    private SmallDisk(Path dir) {
        this.dir = dir;
    }

    /** A tmpfs of {@code bytes} on {@code dir} (created if missing), or empty when this machine does not allow it. */
    public static Optional<SmallDisk> mount(Path dir, long bytes) throws IOException {
        Files.createDirectories(dir);
        if (!run("mount", "-t", "tmpfs", "-o", "size=" + bytes, "tmpfs", dir.toString())) {
            return Optional.empty();
        }
        return Optional.of(new SmallDisk(dir));
    }

    public Path dir() {
        return dir;
    }

    public void readOnly() throws IOException {
        remount("ro");
    }

    public void readWrite() throws IOException {
        remount("rw");
    }

    public long usableSpace() throws IOException {
        return Files.getFileStore(dir).getUsableSpace();
    }

    private void remount(String mode) throws IOException {
        if (!run("mount", "-o", "remount," + mode, dir.toString())) {
            throw new IOException("could not remount " + dir + " " + mode);
        }
    }

    @Override
    public void close() throws IOException {
        // lazily, should a file still be open: the folder must not stay a mount point after the test
        if (!run("umount", dir.toString())) {
            run("umount", "-l", dir.toString());
        }
    }

    private static boolean run(String... command) throws IOException {
        Process p;
        try {
            p = new ProcessBuilder(List.of(command)).redirectErrorStream(true).start();
        } catch (IOException noSuchCommand) {
            return false;
        }
        try {
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return false;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (p.exitValue() != 0 && !out.isEmpty()) {
            System.out.println(String.join(" ", command) + ": " + out);
        }
        return p.exitValue() == 0;
    }
}
