package app.garagesync.trust.drill;

import app.garagesync.crypto.OffsiteCipher;
import app.garagesync.offsite.TargetCatalog;
import app.garagesync.offsite.TargetConfig;
import app.garagesync.offsite.TargetContract;
import app.garagesync.store.BackupStore;
import app.garagesync.store.Document;
import app.garagesync.store.VersionInfo;
import app.garagesync.sync.RemoteChain;
import app.garagesync.sync.RemoteLayout;
import app.garagesync.sync.RemoteObject;
import app.garagesync.sync.TargetLedger;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;

/**
 * What the drill flows call (routes/drill.camel.yaml), one method per step, each on the {@link DrillRun}
 * in the body: locate the latest version sent to the target, fetch its objects back, rebuild the document
 * into a scratch file, compare it with what was sent, run the restored-backup checks, record the result.
 * A step that finds the copy unsound throws a {@link DrillStop}; the flow then records that problem.
 *
 * <p>Nothing here writes the live store: the document is rebuilt under {@code <data-dir>/drill/scratch/},
 * one file per drill at most {@code garagesync.max-backup-size}, deleted when the drill ends (and any left
 * by a crash when the daemon starts).
 */
public final class DrillSteps {

    private final TargetCatalog targets;
    private final TargetLedger ledger;
    private final BackupStore store;
    private final OffsiteCipher cipher;
    private final ProducerTemplate producer;
    private final List<RestoredBackupCheck> checks;
    private final DrillResults results;
    private final DrillAlerts alerts;
    private final Clock clock;
    private final Path scratchDir;
    private final long maxDocument;
    /** Users with a drill under way: one drill of a user at a time, the timer's or a request's. */
    private final Set<String> running = ConcurrentHashMap.newKeySet();

    public DrillSteps(TargetCatalog targets, TargetLedger ledger, BackupStore store, OffsiteCipher cipher,
                      ProducerTemplate producer, List<RestoredBackupCheck> checks, DrillResults results,
                      DrillAlerts alerts, Clock clock, Path dataDir, long maxDocument) {
        this.targets = targets;
        this.ledger = ledger;
        this.store = store;
        this.cipher = cipher;
        this.producer = producer;
        this.checks = List.copyOf(checks);
        this.results = results;
        this.alerts = alerts;
        this.clock = clock;
        this.scratchDir = dataDir.resolve("drill").resolve("scratch");
        this.maxDocument = maxDocument;
        clearScratch();
    }

    /** The drills of one user on every target, or empty when a drill of that user is under way. */
    Optional<List<DrillRun>> claim(String user) {
        if (!running.add(user)) {
            return Optional.empty();
        }
        List<DrillRun> runs = new ArrayList<>();
        for (TargetConfig t : targets.all()) {
            runs.add(new DrillRun(t, user, clock.instant()));
        }
        return Optional.of(runs);
    }

    void release(String user) {
        running.remove(user);
    }

    /**
     * The timer's drills: every user's copy on every target that was sent something (a user who never
     * synced has nothing off-site to test). Users whose drill is under way are left to it.
     */
    public void planAll(Exchange exchange) {
        List<DrillRun> runs = new ArrayList<>();
        for (String user : store.users()) {
            List<TargetConfig> sentTo = targets.all().stream().filter(t -> !sentObjects(t, user).isEmpty()).toList();
            if (sentTo.isEmpty() || !running.add(user)) {
                continue;
            }
            sentTo.forEach(t -> runs.add(new DrillRun(t, user, clock.instant())));
        }
        exchange.getMessage().setBody(runs);
    }

    /** After the timer's drills: their users may be drilled again. */
    @SuppressWarnings("unchecked")
    public void releaseAll(Exchange exchange) {
        exchange.getMessage().getBody(List.class).forEach(r -> running.remove(((DrillRun) r).user));
    }

    /** Step 1: the latest version this daemon sent to the target, and the target's index entry for it. */
    public void locate(DrillRun run) {
        run.sent = sentObjects(run.target, run.user);
        if (run.sent.isEmpty()) {
            throw new DrillStop(DrillProblem.NOTHING_SENT, "no version of user '" + run.user + "' was sent to target '"
                    + run.target.name() + "' yet");
        }
        run.version = ((TreeMap<Long, RemoteObject>) run.sent).lastKey();
        String indexKey = RemoteLayout.indexKey(run.user);
        byte[] index = get(run, indexKey);
        if (index == null || index.length == 0) {
            throw new DrillStop(DrillProblem.INDEX_MISSING, "version " + run.version + ": the target holds no index "
                    + indexKey + ", so a restore would find nothing");
        }
        Map<String, Object> entry;
        try {
            entry = RemoteLayout.entries(index).stream()
                    .filter(e -> ((Number) e.get("id")).longValue() == run.version).findFirst().orElse(null);
        } catch (IOException | RuntimeException e) {
            throw new DrillStop(DrillProblem.INDEX_UNREADABLE, "version " + run.version + ": " + indexKey + " does not read: " + e.getMessage());
        }
        if (entry == null || !(entry.get("size") instanceof Number size)) {
            throw new DrillStop(DrillProblem.VERSION_NOT_LISTED, "version " + run.version + " was sent but the target's index "
                    + "does not list it, so a restore would not bring it back");
        }
        run.size = size.longValue();
        if (run.size > maxDocument || run.size < 0) {
            throw new DrillStop(DrillProblem.TOO_LARGE, "version " + run.version + " is " + run.size
                    + " bytes, more than the scratch area takes (garagesync.max-backup-size, " + maxDocument + ")");
        }
    }

    /** Step 2: the version's object and those it is a change of, read back from the target (decrypted). */
    public void fetch(DrillRun run) {
        long id = run.version;
        while (true) {
            RemoteObject o = run.sent.get(id);
            if (o == null) {
                throw new DrillStop(DrillProblem.CANNOT_REBUILD, "version " + run.version + " needs version " + id
                        + ", which was not sent to this target");
            }
            String key = o.key(run.user);
            byte[] bytes = get(run, key);
            if (bytes == null) {
                throw new DrillStop(DrillProblem.OBJECT_MISSING, "version " + run.version + ": object " + key
                        + " is missing on the target");
            }
            run.fetched.put(key, bytes);
            if (!o.isDelta()) {
                return;
            }
            id = o.parent();
        }
    }

    /** Step 3: the document rebuilt from those objects, as a restore does, into a scratch file. */
    public void rebuild(DrillRun run) {
        byte[] doc;
        try {
            doc = new RemoteChain(run.user, run.sent, run.fetched::get).document(run.version, run.size);
        } catch (IOException e) {
            String problem = e.getMessage() != null && e.getMessage().contains("SHA-256")
                    ? DrillProblem.HASH_DIFFERS : DrillProblem.CANNOT_REBUILD;
            throw new DrillStop(problem, "version " + run.version + ": " + e.getMessage());
        } catch (RuntimeException e) {
            throw new DrillStop(DrillProblem.CANNOT_REBUILD, "version " + run.version + ": " + describe(e));
        } finally {
            run.fetched.clear();
        }
        try {
            Files.createDirectories(scratchDir);
            run.scratch = scratchDir.resolve(run.target.name() + "+" + run.user + "+" + run.version + ".json");
            Files.write(run.scratch, doc);
        } catch (IOException e) {
            throw new DrillStop(DrillProblem.SCRATCH_FAILED, "version " + run.version + ": cannot write " + run.scratch + ": " + e.getMessage());
        }
    }

    /** Step 4: the scratch file against what was sent: its SHA-256 and size, and the local version's content hash. */
    public void compare(DrillRun run) {
        byte[] doc = scratch(run);
        RemoteObject sent = run.sent.get(run.version);
        if (doc.length != run.size || !Document.of(doc).sha256().equals(sent.sha256())) {
            throw new DrillStop(DrillProblem.HASH_DIFFERS, "version " + run.version + ": the restored document's SHA-256 "
                    + "differs from the one sent");
        }
        Optional<VersionInfo> local = store.version(run.user, run.version);
        if (local.isPresent() && !local.get().contentHash().equals(sent.contentHash())) {
            throw new DrillStop(DrillProblem.HASH_DIFFERS, "version " + run.version + ": the restored document differs "
                    + "from version " + run.version + " in this server's store");
        }
    }

    /** Step 5: the restored-backup checks on the scratch file's document. */
    public void check(DrillRun run) {
        byte[] doc = scratch(run);
        for (RestoredBackupCheck c : checks) {
            try {
                run.problems.addAll(c.check(doc));
            } catch (RuntimeException e) {
                run.problems.add(DrillProblem.error(DrillProblem.CHECK_FAILED, "version " + run.version + ": "
                        + c.getClass().getSimpleName() + " failed: " + describe(e)));
            }
        }
    }

    /** After a step stopped the drill: the problem it found (or what went wrong, named). */
    public void stopped(Exchange exchange) {
        DrillRun run = exchange.getMessage().getBody(DrillRun.class);
        Exception e = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        if (e instanceof DrillStop stop) {
            run.problems.add(stop.problem());
        } else {
            run.problems.add(DrillProblem.error(DrillProblem.CANNOT_REBUILD, (run.version == null ? "" : "version "
                    + run.version + ": ") + describe(e)));
        }
    }

    /** Last step, whatever happened: the scratch file deleted, the result recorded, told when it failed. */
    public void record(DrillRun run) {
        if (run.scratch != null) {
            try {
                Files.deleteIfExists(run.scratch);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot delete the drill's scratch file " + run.scratch, e);
            }
        }
        boolean ok = run.problems.stream().noneMatch(DrillProblem::isError);
        DrillResult before = results.of(run.user).get(run.target.name());
        var now = clock.instant();
        run.result = new DrillResult(run.target.name(), ok, run.version, now, run.bytesRead,
                Duration.ofNanos(System.nanoTime() - run.startedNanos).toMillis(), List.copyOf(run.problems),
                ok ? now : before == null ? null : before.lastOkAt(),
                before == null ? now : before.firstCheckedAt());
        results.save(run.user, run.result);
        if (!ok && !run.result.nothingSent()) {
            alerts.failed(run.user, run.result);
        }
    }

    private byte[] scratch(DrillRun run) {
        try {
            return Files.readAllBytes(run.scratch);
        } catch (IOException e) {
            throw new DrillStop(DrillProblem.SCRATCH_FAILED, "version " + run.version + ": cannot read " + run.scratch + ": " + e.getMessage());
        }
    }

    /** The latest version of the user the target's index lists as sent by this daemon, if any. */
    public Optional<Long> latestSent(TargetConfig target, String user) {
        TreeMap<Long, RemoteObject> sent = sentObjects(target, user);
        return sent.isEmpty() ? Optional.empty() : Optional.of(sent.lastKey());
    }

    /** The objects the ledger says the target's index lists for the user, by version id. */
    private TreeMap<Long, RemoteObject> sentObjects(TargetConfig target, String user) {
        TargetLedger.Mark mark = ledger.mark(target.name(), user);
        TreeMap<Long, RemoteObject> sent = new TreeMap<>();
        mark.objects().forEach((key, o) -> {
            if (mark.listed().contains(key)) {
                sent.put(o.id(), o);
            }
        });
        return sent;
    }

    /** The plain bytes under {@code key} on the run's target, or null when it holds none. */
    private byte[] get(DrillRun run, String key) {
        Exchange ex = producer.send(run.target.endpointUri(), e -> {
            RemoteLayout.address(e.getMessage(), TargetContract.GET, key);
            e.getMessage().setBody(null);
        });
        if (ex.getException() != null) {
            throw new DrillStop(DrillProblem.TARGET_UNAVAILABLE, (run.version == null ? "" : "version " + run.version + ": ")
                    + "target '" + run.target.name() + "' did not answer: " + describe(ex.getException()));
        }
        byte[] body = ex.getMessage().getBody(byte[].class);
        if (body == null) {
            return null;
        }
        run.bytesRead += body.length;
        try {
            return cipher.open(key, body);
        } catch (IOException e) {
            throw new DrillStop(DrillProblem.CANNOT_DECRYPT, "version " + run.version + ": " + e.getMessage());
        }
    }

    /** Scratch files a crash left behind: they are copies, never the only one of anything. */
    private void clearScratch() {
        if (!Files.isDirectory(scratchDir)) {
            return;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(scratchDir)) {
            for (Path f : files) {
                Files.deleteIfExists(f);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot clear the drill scratch folder " + scratchDir, e);
        }
    }

    static String describe(Throwable t) {
        if (t == null) {
            return "unknown error";
        }
        String m = t.getMessage();
        return t.getClass().getSimpleName() + (m == null ? "" : ": " + (m.length() > 300 ? m.substring(0, 300) + "..." : m));
    }
}
