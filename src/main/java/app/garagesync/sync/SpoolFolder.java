package app.garagesync.sync;

import app.garagesync.Json;
import app.garagesync.store.DurableFiles;
import app.garagesync.store.UserIds;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/**
 * Versions a target could not take, kept as zip files in {@code <data-dir>/spool/<target>/} until the
 * drain delivers them. A file is named {@code <spooled-at millis>+<user>+<version>.zip} so that the
 * name order is the oldest-first replay order; it holds the object exactly as it would have been put
 * (the version in its stored form, a {@code .gsv} version file; a spool written before deltas holds the
 * backup's JSON) and a {@code manifest.json} a person can read (and the drain uses to put it under its key).
 * Files are written through {@link DurableFiles} and removed only after the target confirmed the version.
 */
public final class SpoolFolder {

    public static final String MANIFEST = "manifest.json";
    private static final Pattern NAME = Pattern.compile("(\\d{13})\\+([A-Za-z0-9._-]{1,64})\\+(\\d{10})\\.zip");

    private final Path root;
    private final Clock clock;

    public SpoolFolder(Path dataDir, Clock clock) {
        this.root = dataDir.resolve("spool");
        this.clock = clock;
    }

    /** One spooled version, as read back for a replay. */
    public record Spooled(Path file, String user, long version, Map<String, Object> entry, byte[] object) {
    }

    /** A spool file's identity, from its name alone. */
    public record SpoolFile(Path file, String user, long version, long bytes) {
    }

    public Path write(String target, String user, Map<String, Object> entry, byte[] object, String reason) {
        long id = ((Number) entry.get("id")).longValue();
        String objectName = "garage-version-" + user + "-v" + id + ".gsv";
        Map<String, Object> manifest = new LinkedHashMap<>();
        manifest.put("what", "a garage-sync version that target '" + target + "' did not take, in its stored form "
                + "(the local store has it too: GET /api/backup?version=" + id + "); "
                + "it is sent again, oldest first, when the target answers, and this file is then deleted");
        manifest.put("target", target);
        manifest.put("user", user);
        manifest.put("version", id);
        manifest.put("spooledAt", clock.instant().toString());
        manifest.put("reason", reason);
        manifest.put("file", objectName);
        manifest.put("entry", entry);
        ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(1024, object.length / 4));
        try (ZipOutputStream zip = new ZipOutputStream(out)) {
            zip.putNextEntry(new ZipEntry(MANIFEST));
            zip.write(Json.MAPPER.writer(SerializationFeature.INDENT_OUTPUT).writeValueAsBytes(manifest));
            zip.closeEntry();
            zip.putNextEntry(new ZipEntry(objectName));
            zip.write(object);
            zip.closeEntry();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Path dir = root.resolve(target);
        Path file = dir.resolve(String.format("%013d+%s+%010d.zip", clock.millis(), UserIds.require(user), id));
        try {
            DurableFiles.createDirectories(dir);
            DurableFiles.createNew(file, out.toByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write spool file " + file, e);
        }
        return file;
    }

    /** The target's spool files, oldest first. */
    public List<SpoolFile> list(String target) {
        List<SpoolFile> files = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(root.resolve(target), "*.zip")) {
            for (Path p : ds) {
                Matcher m = NAME.matcher(p.getFileName().toString());
                if (m.matches()) {
                    files.add(new SpoolFile(p, m.group(2), Long.parseLong(m.group(3)), Files.size(p)));
                }
            }
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        files.sort((a, b) -> a.file().getFileName().toString().compareTo(b.file().getFileName().toString()));
        return files;
    }

    public boolean contains(String target, String user, long version) {
        return list(target).stream().anyMatch(f -> f.user().equals(user) && f.version() == version);
    }

    @SuppressWarnings("unchecked")
    public Spooled read(SpoolFile f) throws IOException {
        byte[] zipBytes = Files.readAllBytes(f.file());
        Map<String, Object> manifest = null;
        Map<String, byte[]> contents = new LinkedHashMap<>();
        try (ZipInputStream zip = new ZipInputStream(new ByteArrayInputStream(zipBytes))) {
            for (ZipEntry e = zip.getNextEntry(); e != null; e = zip.getNextEntry()) {
                contents.put(e.getName(), zip.readAllBytes());
            }
        }
        if (contents.containsKey(MANIFEST)) {
            manifest = Json.readMap(contents.get(MANIFEST));
        }
        if (manifest == null || !(manifest.get("entry") instanceof Map<?, ?>) || !contents.containsKey(manifest.get("file"))) {
            throw new IOException("spool file " + f.file() + " has no readable manifest or object");
        }
        return new Spooled(f.file(), f.user(), f.version(), (Map<String, Object>) manifest.get("entry"),
                contents.get(manifest.get("file")));
    }

    /** Removes a replayed file; the directory entry is synced so a crash cannot bring it back. */
    public void delete(Path file) {
        try {
            Files.deleteIfExists(file);
            DurableFiles.syncDirectory(file.getParent());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete spool file " + file, e);
        }
    }

    /** A damaged spool file is moved aside, never deleted: a person decides. */
    public void quarantine(Path file, String why) {
        try {
            Path aside = file.resolveSibling(file.getFileName() + ".damaged");
            Files.move(file, aside);
            DurableFiles.replace(file.resolveSibling(file.getFileName() + ".error.txt"),
                    why.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot move damaged spool file " + file + " aside", e);
        }
    }
}
