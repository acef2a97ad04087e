package app.garagesync.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;

/**
 * The one line each reliability test ends with: what it ran and how much of it, printed and appended
 * to {@code target/reliability-summary.txt}, so a long run's figures survive its scrolling output.
 */
public final class ReliabilityReport {

    private static final Path SUMMARY = Path.of("target", "reliability-summary.txt");

    private ReliabilityReport() {
    }

    /** {@code counts} as "name=value" pairs, e.g. {@code line("crash", "crashes=12", "versions=340")}. */
    public static void line(String test, String... counts) {
        String line = Instant.now() + " RELIABILITY " + test + ": " + String.join(", ", counts);
        System.out.println(line);
        try {
            Files.createDirectories(SUMMARY.getParent());
            Files.writeString(SUMMARY, line + System.lineSeparator(), StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
