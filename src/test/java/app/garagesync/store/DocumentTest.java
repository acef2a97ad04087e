package app.garagesync.store;

import static org.assertj.core.api.Assertions.assertThat;

import app.garagesync.store.delta.DeltaCodec;
import app.garagesync.store.delta.Layout;
import app.garagesync.store.delta.LayoutScanner;
import app.garagesync.testing.EditableBackup;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;

class DocumentTest {

    @Test
    void a_version_rebuilt_from_a_delta_gives_the_same_bytes_and_hash_slice_by_slice() throws Exception {
        Random r = new Random(3);
        EditableBackup.Doc doc = EditableBackup.initial(r, 200);
        byte[] parent = doc.bytes();
        for (int i = 0; i < 40; i++) {
            EditableBackup.edit(doc, r);
        }
        byte[] child = doc.bytes();
        Layout parentLayout = LayoutScanner.scan(parent, parent.length);
        Layout rebuilt = DeltaCodec.apply(parentLayout, DeltaCodec.compute(parentLayout, LayoutScanner.scan(child, child.length)));

        Document d = Document.of(rebuilt);
        assertThat(d.size()).isEqualTo(child.length);
        assertThat(d.sliceCount()).isGreaterThan(1);
        assertThat(d.bytes()).isEqualTo(child).isEqualTo(rebuilt.materialize());
        assertThat(d.sha256()).isEqualTo(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(child)));
        // unchanged runs of the parent come as one slice each, not one per entity
        assertThat(d.sliceCount()).isLessThan(rebuilt.itemCount());
    }

    @Test
    void a_whole_buffer_is_one_slice_and_is_not_copied() {
        byte[] bytes = "{\"data\":{}}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        Document d = Document.of(bytes);
        assertThat(d.sliceCount()).isEqualTo(1);
        assertThat(d.bytes()).isSameAs(bytes);
    }
}
