package app.garagesync.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OffsiteCipherTest {

    @Test
    void seals_and_opens_several_segments_and_refuses_any_tampering(@TempDir Path dir) throws Exception {
        Path keyFile = dir.resolve("k");
        OffsiteCipher.newKeyFile(keyFile);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keyFile))).isEqualTo("rw-------");
        OffsiteCipher cipher = OffsiteCipher.fromKeyFile(keyFile);
        byte[] plain = new byte[3 * 1024 * 1024 + 17];
        new Random(1).nextBytes(plain);
        byte[] sealed = cipher.seal("users/a/versions/0000000001.json", plain);
        assertThat(sealed.length).isGreaterThan(plain.length);
        assertThat(cipher.open("users/a/versions/0000000001.json", sealed)).isEqualTo(plain);

        byte[] flipped = sealed.clone();
        flipped[flipped.length / 2] ^= 1;
        assertThatThrownBy(() -> cipher.open("users/a/versions/0000000001.json", flipped)).isInstanceOf(IOException.class);
        byte[] truncated = java.util.Arrays.copyOf(sealed, sealed.length - 1024 * 1024);
        assertThatThrownBy(() -> cipher.open("users/a/versions/0000000001.json", truncated)).isInstanceOf(IOException.class);
        // an object moved under another key does not open either
        assertThatThrownBy(() -> cipher.open("users/b/versions/0000000001.json", sealed)).isInstanceOf(IOException.class)
                .hasMessageContaining("wrong key");
        Path other = dir.resolve("other");
        OffsiteCipher.newKeyFile(other);
        assertThatThrownBy(() -> OffsiteCipher.fromKeyFile(other).open("users/a/versions/0000000001.json", sealed))
                .isInstanceOf(IOException.class);
        assertThatThrownBy(() -> OffsiteCipher.newKeyFile(keyFile)).isInstanceOf(java.nio.file.FileAlreadyExistsException.class);
    }

    @Test
    void without_a_key_bodies_pass_through() throws Exception {
        byte[] plain = "{\"data\":{}}".getBytes();
        assertThat(OffsiteCipher.none().seal("k", plain)).isSameAs(plain);
        assertThat(OffsiteCipher.none().enabled()).isFalse();
    }
}
