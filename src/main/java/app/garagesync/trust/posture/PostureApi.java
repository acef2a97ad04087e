package app.garagesync.trust.posture;

import app.garagesync.api.Responses;
import app.garagesync.auth.RequestIdentity;
import app.garagesync.offsite.TargetCatalog;
import app.garagesync.offsite.TargetConfig;
import app.garagesync.store.BackupStore;
import app.garagesync.store.VersionInfo;
import app.garagesync.sync.SpoolFolder;
import app.garagesync.trust.drill.DrillProblem;
import app.garagesync.trust.drill.DrillResult;
import app.garagesync.trust.drill.DrillResults;
import app.garagesync.trust.drill.DrillSteps;
import app.garagesync.trust.posture.PostureWords.Language;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.camel.Exchange;

/**
 * {@code GET /api/posture}: how the caller's data is protected, as fields and in sentences
 * ({@code Accept-Language} fr, the default, or en): each copy (this server, each target) and whether it is
 * off-site, encrypted, immutable, the version it holds, its last drill and that drill's age, and the
 * versions waiting in the spool for it. A target counts as a copy once it holds a version of the user.
 * A {@code dir} target is a folder this server writes (a NAS, a USB disk): not off-site. No target is
 * immutable yet (no S3 object lock: see docs/trust.md).
 */
public final class PostureApi {

    private final BackupStore store;
    private final TargetCatalog targets;
    private final DrillSteps drills;
    private final DrillResults results;
    private final SpoolFolder spool;
    private final boolean encrypted;
    private final Clock clock;

    public PostureApi(BackupStore store, TargetCatalog targets, DrillSteps drills, DrillResults results,
                      SpoolFolder spool, boolean encrypted, Clock clock) {
        this.store = store;
        this.targets = targets;
        this.drills = drills;
        this.results = results;
        this.spool = spool;
        this.encrypted = encrypted;
        this.clock = clock;
    }

    public void answer(Exchange exchange) {
        String user = exchange.getProperty(RequestIdentity.USER, String.class);
        Language lang = PostureWords.language(exchange.getMessage().getHeader("Accept-Language", String.class));
        Instant now = clock.instant();
        Map<String, DrillResult> drilled = results.of(user);
        Optional<VersionInfo> latest = store.latest(user);

        List<Map<String, Object>> copies = new ArrayList<>();
        Map<String, Object> local = new LinkedHashMap<>();
        local.put("where", "this-server");
        local.put("name", lang == Language.fr ? "ce serveur" : "this server");
        local.put("kind", "local");
        local.put("offsite", false);
        local.put("encrypted", false);
        local.put("immutable", false);
        local.put("version", latest.map(VersionInfo::id).orElse(null));
        local.put("holds", latest.isPresent());
        copies.add(local);

        int copyCount = latest.isPresent() ? 1 : 0;
        int offsite = 0;
        int targetCopies = 0;
        int spooledFiles = 0;
        Instant oldestSpooled = null;
        DrillResult failed = null;
        Instant verified = null;
        boolean everyDrillPassed = true;
        for (TargetConfig t : targets.all()) {
            Optional<Long> held = drills.latestSent(t, user);
            boolean isOffsite = !"dir".equals(t.type());
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("where", "target");
            c.put("name", t.name());
            c.put("kind", t.type());
            c.put("offsite", isOffsite);
            c.put("encrypted", encrypted);
            c.put("immutable", false);
            c.put("version", held.orElse(null));
            c.put("holds", held.isPresent());
            if (held.isPresent()) {
                copyCount++;
                targetCopies++;
                offsite += isOffsite ? 1 : 0;
            }
            DrillResult r = drilled.get(t.name());
            c.put("lastDrill", r == null ? null : drill(r, now));
            if (held.isPresent()) {
                if (r == null || r.lastOkAt() == null) {
                    everyDrillPassed = false;
                } else {
                    verified = verified == null || r.lastOkAt().isBefore(verified) ? r.lastOkAt() : verified;
                }
                if (r != null && !r.ok() && (failed == null || r.checkedAt().isAfter(failed.checkedAt()))) {
                    failed = r;
                }
            }
            List<SpoolFolder.SpoolFile> mine = spool.list(t.name()).stream().filter(f -> f.user().equals(user)).toList();
            Instant oldest = mine.isEmpty() ? null : spooledAt(mine.get(0));
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("files", mine.size());
            s.put("oldestAt", oldest == null ? null : oldest.toString());
            s.put("oldestAgeSeconds", oldest == null ? null : Duration.between(oldest, now).toSeconds());
            c.put("spool", s);
            spooledFiles += mine.size();
            if (oldest != null && (oldestSpooled == null || oldest.isBefore(oldestSpooled))) {
                oldestSpooled = oldest;
            }
            copies.add(c);
        }

        List<String> sentences = new ArrayList<>();
        sentences.add(PostureWords.copies(lang, copyCount, offsite, encrypted, targetCopies));
        if (failed != null) {
            String problem = failed.problems().stream().filter(p -> DrillProblem.ERROR.equals(p.level()))
                    .map(DrillProblem::problem).findFirst().orElse("?");
            sentences.add(PostureWords.drillFailed(lang, failed.target(), problem, Duration.between(failed.checkedAt(), now)));
        } else if (targetCopies > 0 && everyDrillPassed && verified != null) {
            sentences.add(PostureWords.drillPassed(lang, Duration.between(verified, now)));
        } else if (targetCopies > 0) {
            sentences.add(PostureWords.noDrill(lang));
        }
        if (spooledFiles > 0) {
            sentences.add(PostureWords.spooled(lang, spooledFiles, Duration.between(oldestSpooled, now)));
        }

        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("copies", copyCount);
        summary.put("offsite", offsite);
        summary.put("encrypted", targetCopies > 0 && encrypted);
        summary.put("immutable", 0);
        summary.put("lastDrillOk", failed == null && targetCopies > 0 && everyDrillPassed && verified != null);
        summary.put("lastVerifiedRestorableAt", everyDrillPassed && verified != null ? verified.toString() : null);
        summary.put("lastVerifiedAgeSeconds", everyDrillPassed && verified != null ? Duration.between(verified, now).toSeconds() : null);
        summary.put("spooledFiles", spooledFiles);
        summary.put("oldestSpoolAgeSeconds", oldestSpooled == null ? null : Duration.between(oldestSpooled, now).toSeconds());

        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("user", user);
        answer.put("language", lang.name());
        answer.put("summary", summary);
        answer.put("copies", copies);
        answer.put("sentences", sentences);
        answer.put("text", (lang == Language.fr ? PostureWords.joined(sentences) : PostureWords.joinedEn(sentences)) + ".");
        Responses.json(exchange, 200, answer);
        exchange.getMessage().setHeader("Content-Language", lang.name());
    }

    private static Map<String, Object> drill(DrillResult r, Instant now) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("ok", r.ok());
        d.put("version", r.version());
        d.put("checkedAt", r.checkedAt().toString());
        d.put("ageSeconds", Duration.between(r.checkedAt(), now).toSeconds());
        d.put("lastOkAt", r.lastOkAt() == null ? null : r.lastOkAt().toString());
        d.put("problems", r.problems().stream().map(p -> Map.of("problem", p.problem(), "detail", p.detail(), "level", p.level())).toList());
        return d;
    }

    /** A spool file's name starts with the time it was written, in milliseconds. */
    private static Instant spooledAt(SpoolFolder.SpoolFile f) {
        return Instant.ofEpochMilli(Long.parseLong(f.file().getFileName().toString().substring(0, 13)));
    }
}
