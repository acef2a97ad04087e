package app.garagesync.trust;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import app.garagesync.Json;
import app.garagesync.testing.Backups;
import app.garagesync.testing.ChildDaemon;
import app.garagesync.testing.DaemonExtension;
import app.garagesync.testing.Http;
import app.garagesync.testing.RunningDaemon;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Meaning checks over real HTTP: each built-in rule finds its own broken record and nothing else, a clean
 * garage gives no finding, a broken garage is stored all the same, and a rules file that says nothing
 * clear stops the start naming its line.
 */
class MeaningChecksTest {

    @RegisterExtension
    static final DaemonExtension daemon = new DaemonExtension();

    record Found(String rule, String collection, String id) {
    }

    @Test
    void should_find_nothing_on_a_clean_garage() throws Exception {
        Http http = daemon.http().as("clean");
        assertThat(http.postJson("/api/backup", new Shop(200).render()).status()).isEqualTo(201);
        assertThat(http.postJson("/api/backup", Backups.small(1)).status()).isEqualTo(201);
        for (int v = 1; v <= 2; v++) {
            Map<String, Object> answer = checks(http, v);
            assertThat(answer.get("findings")).as("version " + v).isEqualTo(List.of());
            assertThat(answer.get("ok")).isEqualTo(true);
        }
        assertThat(strings(checks(http, 1).get("rules"))).containsExactly(
                "vehicles.customerId -> customers.id", "repairs.vehicleId -> vehicles.id",
                "repairs.mechanicId -> mechanics.id", "invoices.repairId -> repairs.id",
                "appointments.customerId -> customers.id", "unique invoices.number", "continuous invoices.number");
    }

    @Test
    void should_find_each_rules_broken_record_by_id_and_nothing_else() throws Exception {
        expect("vehicles", s -> s.find("vehicles", "v7").put("customerId", "c999"),
                new Found("vehicles.customerId -> customers.id", "vehicles", "v7"));
        expect("repairs-vehicle", s -> s.find("repairs", 8).put("vehicleId", "v-gone"),
                new Found("repairs.vehicleId -> vehicles.id", "repairs", "8"));
        expect("repairs-mechanic", s -> s.find("repairs", 3).put("mechanicId", "m42"),
                new Found("repairs.mechanicId -> mechanics.id", "repairs", "3"));
        expect("invoices-repair", s -> s.find("invoices", "F-2026-000005").put("repairId", 5000),
                new Found("invoices.repairId -> repairs.id", "invoices", "F-2026-000005"));
        expect("appointments", s -> s.find("appointments", "a2").put("customerId", "c-unknown"),
                new Found("appointments.customerId -> customers.id", "appointments", "a2"));
        expect("unique", s -> s.find("invoices", "F-2026-000009").put("number", "F-2026-0004"),
                new Found("unique invoices.number", "invoices", "F-2026-000009"),
                // number 10 is now missing too: F-2026-0011 follows F-2026-0009
                new Found("continuous invoices.number", "invoices", "F-2026-000010"));
        expect("continuous", s -> s.get("invoices").remove(s.find("invoices", "F-2026-000012")),
                new Found("continuous invoices.number", "invoices", "F-2026-000013"));
    }

    @Test
    void should_name_both_records_left_without_their_customer() throws Exception {
        Shop shop = new Shop(20);
        shop.get("customers").remove(shop.find("customers", "c3"));
        Http http = daemon.http().as("orphans");
        assertThat(http.postJson("/api/backup", shop.render()).status()).isEqualTo(201);
        Map<String, Object> answer = checks(http, 1);
        assertThat(found(answer)).containsExactlyInAnyOrder(
                new Found("vehicles.customerId -> customers.id", "vehicles", "v3"),
                new Found("appointments.customerId -> customers.id", "appointments", "a3"));
        assertThat(answer.get("findings").toString()).contains("customerId 'c3' names no record of customers");
        // a warning, never a refusal: the version is there, whole
        assertThat(http.get("/api/backup").body()).isEqualTo(shop.render());
    }

    @Test
    void should_answer_400_for_an_id_that_is_not_a_version_and_404_for_one_that_is_not_there() {
        Http http = daemon.http().as("asker");
        assertThat(http.postJson("/api/backup", Backups.small(1)).status()).isEqualTo(201);
        for (String bad : List.of("abc", "0", "-1", "1.5", "99999999999999999999")) {
            Http.Response r = http.get("/api/backup/versions/" + bad + "/checks");
            assertThat(r.status()).as(bad).isEqualTo(400);
            assertThat(r.body()).contains("\"error\":\"invalid_request\"").contains("id (in the path)").contains("\"status\":400");
        }
        Http.Response missing = http.get("/api/backup/versions/2/checks");
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.body()).contains("no version 2");
        // another user's version is not there either
        assertThat(daemon.http().as("someone-else").get("/api/backup/versions/1/checks").status()).isEqualTo(404);
    }

    @Test
    void should_use_the_operators_rules_file(@TempDir Path dir) throws Exception {
        Path rules = dir.resolve("rules.yaml");
        Files.writeString(rules, "# only this\nunique:\n  - customers.lastName\n");
        try (RunningDaemon own = RunningDaemon.start(dir.resolve("data"), "garagesync.trust.rules-file", rules.toString())) {
            Http http = own.http();
            Shop shop = new Shop(5);
            shop.find("customers", "c4").put("lastName", "Châtelain 1");
            shop.find("vehicles", "v2").put("customerId", "nobody"); // no reference rule any more
            assertThat(http.postJson("/api/backup", shop.render()).status()).isEqualTo(201);
            Map<String, Object> answer = checks(http, 1);
            assertThat(strings(answer.get("rules"))).containsExactly("unique customers.lastName");
            assertThat(found(answer)).containsExactly(new Found("unique customers.lastName", "customers", "c4"));
        }
    }

    @Test
    void should_not_start_with_a_rules_file_it_cannot_follow_and_name_the_line(@TempDir Path dir) throws Exception {
        Path rules = dir.resolve("rules.yaml");
        Files.writeString(rules, "references:\n  - vehicles.customerId -> customers.id\n  - repairs.vehicleId => vehicles.id\n");
        Path log = dir.resolve("daemon.log");
        int exit = ChildDaemon.runUntilExit(dir, log, "garagesync.data-dir=" + dir.resolve("data"),
                "garagesync.routes-dir=" + dir.resolve("no-routes"), "camel.server.port=0",
                "garagesync.trust.rules-file=" + rules);
        assertThat(exit).isNotZero();
        assertThat(lastLine(log)).isEqualTo("garage-sync cannot start: garagesync.trust.rules-file = '" + rules
                + "': line 3: 'repairs.vehicleId => vehicles.id' is not a reference like 'vehicles.customerId -> customers.id'");

        Files.writeString(rules, "unique:\n  - invoices.number\ncontinuos:\n  - invoices.number\n");
        assertThat(ChildDaemon.runUntilExit(dir, log, "garagesync.data-dir=" + dir.resolve("data"),
                "garagesync.routes-dir=" + dir.resolve("no-routes"), "camel.server.port=0",
                "garagesync.trust.rules-file=" + rules)).isNotZero();
        assertThat(lastLine(log)).endsWith("line 3: unknown section 'continuos' (expected references, unique or continuous)");
    }

    @Test
    void should_not_start_on_a_rules_file_that_is_not_yaml_or_not_there(@TempDir Path dir) throws Exception {
        Path rules = dir.resolve("rules.yaml");
        Files.writeString(rules, "unique:\n  - invoices.number\n  bad: [\n");
        assertThatThrownBy(() -> RunningDaemon.start(dir.resolve("a"), "garagesync.trust.rules-file", rules.toString()))
                .hasStackTraceContaining("garagesync.trust.rules-file = '" + rules + "': line 3");
        Path missing = dir.resolve("missing.yaml");
        assertThatThrownBy(() -> RunningDaemon.start(dir.resolve("b"), "garagesync.trust.rules-file", missing.toString()))
                .hasStackTraceContaining("garagesync.trust.rules-file = '" + missing + "': cannot be read");
    }

    /** A fresh user posts a clean shop, then the same shop broken by {@code breakIt}: version 2 has exactly {@code expected}. */
    private static void expect(String user, Consumer<Shop> breakIt, Found... expected) throws Exception {
        Http http = daemon.http().as(user);
        Shop shop = new Shop(30);
        assertThat(http.postJson("/api/backup", shop.render()).status()).isEqualTo(201);
        breakIt.accept(shop);
        assertThat(http.postJson("/api/backup", shop.render()).status()).as(user).isEqualTo(201);
        assertThat(found(checks(http, 1))).as(user + ", clean version").isEmpty();
        assertThat(found(checks(http, 2))).as(user).containsExactlyInAnyOrder(expected);
    }

    static Map<String, Object> checks(Http http, long version) throws Exception {
        Http.Response r = http.get("/api/backup/versions/" + version + "/checks");
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return Json.readMap(r.bytes());
    }

    @SuppressWarnings("unchecked")
    static List<Found> found(Map<String, Object> answer) {
        return ((List<Map<String, Object>>) answer.get("findings")).stream()
                .map(f -> new Found((String) f.get("rule"), (String) f.get("collection"), (String) f.get("id"))).toList();
    }

    @SuppressWarnings("unchecked")
    static List<String> strings(Object list) {
        return (List<String>) list;
    }

    private static String lastLine(Path log) throws Exception {
        String[] lines = Files.readString(log).strip().split("\\R");
        return lines[lines.length - 1];
    }
}
