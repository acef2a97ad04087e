package app.garagesync.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What every {@link BlobStore} must do; each implementation's test extends this and says how to make one. */
abstract class BlobStoreContract {

    abstract BlobStore store() throws Exception;

    private static DurableFiles.Content text(String s) {
        return out -> out.write(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void create_is_create_only_and_reads_back() throws Exception {
        BlobStore s = store();
        assertThat(s.create("users/a/versions/0000000001.gsv", text("premier"))).isEqualTo(7);
        assertThatThrownBy(() -> s.create("users/a/versions/0000000001.gsv", text("second")))
                .isInstanceOf(BlobStore.BlobExistsException.class);
        assertThat(new String(s.read("users/a/versions/0000000001.gsv"), StandardCharsets.UTF_8)).isEqualTo("premier");
        assertThat(new String(s.readHead("users/a/versions/0000000001.gsv", 3), StandardCharsets.UTF_8)).isEqualTo("pre");
    }

    @Test
    void replace_overwrites_and_delete_removes() throws Exception {
        BlobStore s = store();
        s.replace("users/b/pruned", text("1\n"));
        s.replace("users/b/pruned", text("1\n2\n"));
        assertThat(new String(s.read("users/b/pruned"), StandardCharsets.UTF_8)).isEqualTo("1\n2\n");
        s.delete("users/b/pruned");
        assertThatThrownBy(() -> s.read("users/b/pruned")).isInstanceOf(NoSuchFileException.class);
        s.delete("users/b/pruned");
    }

    /** The prune record's appends (a line per forget) and the mark's overwrite in place, on a missing key too. */
    @Test
    void append_adds_at_the_end_and_overwrite_replaces_in_place() throws Exception {
        BlobStore s = store();
        assertThat(s.append("users/h/pruned", "3\n".getBytes(StandardCharsets.US_ASCII))).isEqualTo(2);
        assertThat(s.append("users/h/pruned", "5-7\n".getBytes(StandardCharsets.US_ASCII))).isEqualTo(6);
        assertThat(new String(s.read("users/h/pruned"), StandardCharsets.US_ASCII)).isEqualTo("3\n5-7\n");
        s.overwrite("users/h/issued", "0007\n".getBytes(StandardCharsets.US_ASCII));
        s.overwrite("users/h/issued", "0012\n".getBytes(StandardCharsets.US_ASCII));
        assertThat(new String(s.read("users/h/issued"), StandardCharsets.US_ASCII)).isEqualTo("0012\n");
        // a longer record written before (the mark's earlier, unpadded form is shorter; a longer one is cut)
        s.replace("users/h/issued", text("123456789\n"));
        s.overwrite("users/h/issued", "0013\n".getBytes(StandardCharsets.US_ASCII));
        assertThat(new String(s.read("users/h/issued"), StandardCharsets.US_ASCII)).isEqualTo("0013\n");
        assertThat(s.list("users/h/").keySet()).containsExactly("issued", "pruned");
    }

    /** The write path of a version whose folder fsync comes after the writer's lock, and a prune's deletions. */
    @Test
    void create_uncommitted_is_create_only_and_delete_all_removes_each_key() throws Exception {
        BlobStore s = store();
        assertThat(s.createUncommitted("users/g/versions/0000000001.gsv", text("un"))).isEqualTo(2);
        assertThatThrownBy(() -> s.createUncommitted("users/g/versions/0000000001.gsv", text("deux")))
                .isInstanceOf(BlobStore.BlobExistsException.class);
        s.create("users/g/versions/0000000002.gsv", text("deux"));
        s.commitCreated("users/g/versions/0000000001.gsv");
        assertThat(s.list("users/g/versions/")).containsOnlyKeys("0000000001.gsv", "0000000002.gsv");
        s.replaceAtomically("users/g/pruned", text("1\n"));
        s.makeDurable("users/g/pruned");
        s.makeDurable("users/g/nothing-there");
        assertThat(new String(s.read("users/g/pruned"), StandardCharsets.UTF_8)).isEqualTo("1\n");
        s.deleteAll(List.of("users/g/versions/0000000001.gsv", "users/g/versions/0000000002.gsv",
                "users/g/versions/0000000003.gsv"));
        assertThat(s.list("users/g/versions/")).isEmpty();
    }

    /** The read-modify-write of a record several daemons update: the second writer from the same read loses. */
    @Test
    void replace_if_succeeds_only_on_the_content_it_read() throws Exception {
        BlobStore s = store();
        assertThat(s.readTagged("users/f/pruned")).isNull();
        s.replaceIf("users/f/pruned", null, text("1\n"));
        assertThatThrownBy(() -> s.replaceIf("users/f/pruned", null, text("2\n")))
                .as("created by someone else meanwhile").isInstanceOf(BlobStore.BlobChangedException.class);
        BlobStore.Tagged first = s.readTagged("users/f/pruned");
        assertThat(new String(first.bytes(), StandardCharsets.UTF_8)).isEqualTo("1\n");
        s.replaceIf("users/f/pruned", first.tag(), text("1-3\n"));
        assertThatThrownBy(() -> s.replaceIf("users/f/pruned", first.tag(), text("1-2\n")))
                .as("a second writer that read the same content").isInstanceOf(BlobStore.BlobChangedException.class);
        assertThat(new String(s.read("users/f/pruned"), StandardCharsets.UTF_8)).isEqualTo("1-3\n");
        BlobStore.Tagged second = s.readTagged("users/f/pruned");
        assertThat(second.tag()).isNotEqualTo(first.tag());
        s.replaceIf("users/f/pruned", second.tag(), text("1-5\n"));
        assertThat(new String(s.read("users/f/pruned"), StandardCharsets.UTF_8)).isEqualTo("1-5\n");
    }

    @Test
    void lists_blobs_and_folders_one_level_deep() throws Exception {
        BlobStore s = store();
        s.create("users/c/versions/0000000001.gsv", text("x"));
        s.create("users/c/versions/0000000002.gsv", text("yy"));
        s.create("users/d/versions/0000000001.gsv", text("z"));
        assertThat(s.list("users/c/versions/")).containsExactly(
                java.util.Map.entry("0000000001.gsv", 1L), java.util.Map.entry("0000000002.gsv", 2L));
        assertThat(s.list("users/none/versions/")).isEmpty();
        assertThat(s.folders("users/")).containsAll(List.of("c", "d"));
        assertThatThrownBy(() -> s.read("users/c/versions/0000000009.gsv")).isInstanceOf(NoSuchFileException.class);
    }

    @Test
    void stored_forms_rebuild_every_version_exactly_across_long_chains_checkpoints_and_a_prune() throws Exception {
        app.garagesync.backup.BackupReader reader = new app.garagesync.backup.BackupReader(200, Integer.MAX_VALUE);
        VersionStore versions = new VersionStore(store(), java.time.Clock.systemUTC(), 3, new VersionStore.StoragePolicy(1.0, 8));
        java.util.Random r = new java.util.Random(21);
        app.garagesync.testing.EditableBackup.Doc doc = app.garagesync.testing.EditableBackup.initial(r, 60);
        java.util.Map<Long, byte[]> posted = new java.util.TreeMap<>();
        for (long v = 1; v <= 30; v++) {
            app.garagesync.testing.EditableBackup.edit(doc, r);
            doc.add("customers", app.garagesync.testing.EditableBackup.entity("v" + v, r));
            byte[] bytes = doc.bytes();
            versions.put("e", bytes, reader.read(bytes));
            posted.put(v, bytes);
        }
        assertExact(rebuildAll(versions, posted.keySet()), posted);
        long checkpoints = posted.keySet().stream().filter(id -> !versions.stored("e", id).isDelta()).count();
        assertThat(checkpoints).as("max-chain 8 makes checkpoints along 30 versions").isBetween(4L, 29L);

        java.util.Set<Long> keep = java.util.Set.of(2L, 9L, 10L, 17L, 25L, 30L);
        versions.prune("e", all -> keep);
        java.util.Map<Long, byte[]> kept = new java.util.TreeMap<>(posted);
        kept.keySet().retainAll(keep);
        assertExact(rebuildAll(versions, kept.keySet()), kept);
        for (long id : keep) {
            assertThat(versions.stored("e", id).parent()).as("version %d after the prune", id).isIn(0L, id == 10 ? 9L : 0L);
        }
    }

    private static void assertExact(java.util.Map<Long, byte[]> rebuilt, java.util.Map<Long, byte[]> expected) {
        assertThat(rebuilt.keySet()).isEqualTo(expected.keySet());
        expected.forEach((id, bytes) -> assertThat(rebuilt.get(id)).as("version %d", id).isEqualTo(bytes));
    }

    /** Each version rebuilt from its stored form alone, oldest first, keeping only the previous layout. */
    private static java.util.Map<Long, byte[]> rebuildAll(VersionStore versions, java.util.Set<Long> ids) throws Exception {
        java.util.Map<Long, byte[]> out = new java.util.TreeMap<>();
        long lastId = 0;
        app.garagesync.store.delta.Layout last = null;
        for (long id : new java.util.TreeSet<>(ids)) {
            StoredVersion v = versions.stored("e", id);
            assertThat(v.info().id()).isEqualTo(id);
            assertThat(v.isDelta() ? v.parent() : lastId).isEqualTo(lastId);
            last = v.rebuild(v.isDelta() ? last : null);
            lastId = id;
            out.put(id, last.materialize());
            assertThat(versions.read("e", id)).isEqualTo(out.get(id));
        }
        return out;
    }
}
