package app.garagesync.crypto;

import app.garagesync.offsite.TargetContract;
import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.RegistryConfiguration;
import com.google.crypto.tink.StreamingAead;
import com.google.crypto.tink.TinkJsonProtoKeysetFormat;
import com.google.crypto.tink.streamingaead.PredefinedStreamingAeadParameters;
import com.google.crypto.tink.streamingaead.StreamingAeadConfig;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import org.apache.camel.Exchange;

/**
 * Encrypts every byte that goes to an off-site target, and decrypts what a restore brings back, when
 * {@code garagesync.encryption.key-file} names a key. Tink's streaming AEAD: AES-256-GCM over 1 MB
 * segments with keys derived per object (HKDF), so a 50 MB backup is never held twice and a flipped
 * bit, a truncation or a wrong key fails the read. The object's key (its path on the target) is the
 * associated data: an object moved to another key does not decrypt either.
 */
public final class OffsiteCipher {

    /** The header the sync routes put the object key in (RemoteLayout.KEY). */
    private static final String KEY_HEADER = TargetContract.KEY;
    private static final String LENGTH_HEADER = TargetContract.LENGTH;

    private final StreamingAead aead;

    private OffsiteCipher(StreamingAead aead) {
        this.aead = aead;
    }

    /** No encryption: bodies pass through unchanged. */
    public static OffsiteCipher none() {
        return new OffsiteCipher(null);
    }

    public static OffsiteCipher fromKeyFile(Path keyFile) throws IOException {
        try {
            StreamingAeadConfig.register();
            KeysetHandle handle = TinkJsonProtoKeysetFormat.parseKeyset(
                    Files.readString(keyFile, StandardCharsets.UTF_8), InsecureSecretKeyAccess.get());
            return new OffsiteCipher(handle.getPrimitive(RegistryConfiguration.get(), StreamingAead.class));
        } catch (GeneralSecurityException e) {
            throw new IOException("garagesync.encryption.key-file " + keyFile + " is not a streaming AEAD keyset: "
                    + e.getMessage(), e);
        }
    }

    /** Writes a new AES-256-GCM streaming keyset to {@code keyFile}, readable by its owner only. */
    public static void newKeyFile(Path keyFile) throws IOException, GeneralSecurityException {
        StreamingAeadConfig.register();
        KeysetHandle handle = KeysetHandle.generateNew(PredefinedStreamingAeadParameters.AES256_GCM_HKDF_1MB);
        String json = TinkJsonProtoKeysetFormat.serializeKeyset(handle, InsecureSecretKeyAccess.get());
        Files.writeString(keyFile, json, StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW);
        try {
            Files.setPosixFilePermissions(keyFile, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException notPosix) {
            // the operator protects the file by other means
        }
    }

    public boolean enabled() {
        return aead != null;
    }

    /** Route step: the body, about to be written under the key header, becomes its ciphertext. */
    public void seal(Exchange exchange) throws IOException {
        if (aead == null) {
            return;
        }
        byte[] plain = exchange.getMessage().getBody(byte[].class);
        byte[] sealed = seal(exchange.getMessage().getHeader(KEY_HEADER, String.class), plain);
        exchange.getMessage().setBody(sealed);
        exchange.getMessage().setHeader(LENGTH_HEADER, sealed.length);
    }

    /** Route step: the body just read from the key header's object becomes its plaintext (null stays null). */
    public void open(Exchange exchange) throws IOException {
        if (aead == null) {
            return;
        }
        byte[] sealed = exchange.getMessage().getBody(byte[].class);
        if (sealed != null && sealed.length > 0) {
            exchange.getMessage().setBody(open(exchange.getMessage().getHeader(KEY_HEADER, String.class), sealed));
        }
    }

    public byte[] seal(String key, byte[] plain) throws IOException {
        if (aead == null) {
            return plain;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(plain.length + plain.length / 1000 + 64);
        try (OutputStream enc = aead.newEncryptingStream(out, associatedData(key))) {
            enc.write(plain);
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot encrypt " + key + ": " + e.getMessage(), e);
        }
        return out.toByteArray();
    }

    public byte[] open(String key, byte[] sealed) throws IOException {
        if (aead == null || sealed == null) {
            return sealed;
        }
        try (InputStream dec = aead.newDecryptingStream(new ByteArrayInputStream(sealed), associatedData(key))) {
            return dec.readAllBytes();
        } catch (GeneralSecurityException | IOException e) {
            throw new IOException("cannot decrypt " + key + " with the configured key (wrong key, or damaged or "
                    + "unencrypted object): " + e.getMessage(), e);
        }
    }

    private static byte[] associatedData(String key) {
        return ("garage-sync:" + key).getBytes(StandardCharsets.UTF_8);
    }
}
