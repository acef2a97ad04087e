package app.garagesync.auth;

import app.garagesync.store.DurableFiles;
import app.garagesync.store.UserIds;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Bearer tokens, stored only as SHA-256 hashes, one {@code <user> <hash>} per line. A stolen file does
 * not give the tokens away. The file is re-read when it changes, so {@code add-user} needs no restart.
 */
public final class TokenFile implements Tokens {

    private final Path file;
    private volatile Map<String, String> userByHash = Map.of();
    private volatile FileTime loadedAt;
    private volatile long checkedAtNanos;

    public TokenFile(Path file) {
        this.file = file;
    }

    @Override
    public Optional<String> userFor(String token) {
        refreshIfChanged();
        return Optional.ofNullable(userByHash.get(hash(token)));
    }

    @Override
    public synchronized String issue(String user) throws IOException {
        UserIds.require(user);
        String token = newToken();
        StringBuilder out = new StringBuilder("# garage-sync tokens: <user> <sha256 of token>\n");
        for (String line : existingLines()) {
            String[] parts = line.trim().split("\\s+");
            if (parts.length == 2 && !parts[0].startsWith("#") && !parts[0].equals(user)) {
                out.append(parts[0]).append(' ').append(parts[1]).append('\n');
            }
        }
        out.append(user).append(' ').append(hash(token)).append('\n');
        if (file.getParent() != null) {
            DurableFiles.createDirectories(file.getParent());
        }
        DurableFiles.replace(file, out.toString().getBytes(StandardCharsets.UTF_8));
        return token;
    }

    /** The file's users and their tokens' hashes (none when there is no file). */
    public Map<String, String> hashByUser() throws IOException {
        Map<String, String> users = new java.util.LinkedHashMap<>();
        for (String line : existingLines()) {
            String[] parts = line.trim().split("\\s+");
            if (parts.length == 2 && !parts[0].startsWith("#") && UserIds.isValid(parts[0])) {
                users.put(parts[0], parts[1].toLowerCase(Locale.ROOT));
            }
        }
        return users;
    }

    private List<String> existingLines() throws IOException {
        try {
            return Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return List.of();
        }
    }

    private void refreshIfChanged() {
        long now = System.nanoTime();
        if (loadedAt != null && now - checkedAtNanos < 1_000_000_000L) {
            return;
        }
        checkedAtNanos = now;
        try {
            FileTime modified = Files.getLastModifiedTime(file);
            if (modified.equals(loadedAt)) {
                return;
            }
            Map<String, String> next = new HashMap<>();
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                String[] parts = line.trim().split("\\s+");
                if (parts.length == 2 && !parts[0].startsWith("#") && UserIds.isValid(parts[0])) {
                    next.put(parts[1].toLowerCase(Locale.ROOT), parts[0]);
                }
            }
            userByHash = Map.copyOf(next);
            loadedAt = modified;
        } catch (NoSuchFileException e) {
            userByHash = Map.of();
            loadedAt = FileTime.fromMillis(0);
        } catch (IOException e) {
            // keep the tokens we have: a transient read error must not lock every user out
        }
    }

    /** 256 random bits: a token nobody guesses, whose plain SHA-256 is then safe to keep. */
    static String newToken() {
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        return "gs_" + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
    }

    static String hash(String token) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
