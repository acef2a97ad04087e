package app.garagesync.backup;

import static org.assertj.core.api.Assertions.assertThat;

import app.garagesync.testing.DaemonExtension;
import app.garagesync.testing.Http;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Several devices, one garage: a write edited from an older version (POST with If-Match, PATCH with a
 * stale baseVersion) is merged onto the latest, over real HTTP against the started daemon.
 */
class MergeApiTest {

    /** Version 1 of every scenario: what each device started from. */
    static final String BASE = "{\"timestamp\":\"2026-11-24T08:00:00.000Z\",\"version\":\"1.0\","
            + "\"garage\":{\"name\":\"Garage Dupré\",\"phone\":\"01 02\"},"
            + "\"data\":{\"customers\":[{\"id\":\"c1\",\"name\":\"Élodie\",\"phone\":\"06\"},{\"id\":\"c2\",\"name\":\"Jérôme\"}],"
            + "\"vehicles\":[{\"id\":1,\"plate\":\"AB-123-CD\",\"customerId\":\"c1\"}],"
            + "\"repairs\":[{\"id\":1,\"status\":\"open\",\"total\":19.90,\"parts\":{\"oil\":1}},{\"id\":2,\"status\":\"open\",\"total\":5}],"
            + "\"settings\":{\"currency\":\"EUR\",\"vat\":20}}}";

    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static final DaemonExtension daemon = new DaemonExtension();

    static Http.Response patch(Http http, String body) {
        return http.send(http.builder("/api/backup").header("Content-Type", "application/json")
                .method("PATCH", HttpRequest.BodyPublishers.ofString(body)));
    }

    static Http.Response postOn(Http http, String path, String ifMatch, String body) {
        return http.send(http.builder(path).header("Content-Type", "application/json").header("If-Match", ifMatch)
                .POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + text, e);
        }
    }

    /** BASE as version 1, {@code latest} as version 2, then {@code device} (edited from 1) posted with If-Match "1". */
    private static Http.Response mergeOf(Http http, String latest, String device) {
        assertThat(http.postJson("/api/backup", BASE).status()).isEqualTo(201);
        assertThat(http.postJson("/api/backup", latest).status()).isEqualTo(201);
        Http.Response r = postOn(http, "/api/backup", "\"1\"", device);
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        assertThat(json(r.body()).get("merged")).isEqualTo(json("{\"base\":1,\"onto\":2}"));
        return r;
    }

    private static JsonNode latest(Http http) {
        return json(http.get("/api/backup").body());
    }

    @Test
    void three_devices_editing_from_version_1_all_keep_their_change() {
        Http http = daemon.http().as("three-devices");
        assertThat(http.postJson("/api/backup", BASE).status()).isEqualTo(201);

        // device A adds a customer: on the latest, an ordinary change-set
        Http.Response a = patch(http, "{\"baseVersion\":1,\"upserts\":{\"customers\":[{\"id\":\"c3\",\"name\":\"Loïc\"}]}}");
        assertThat(a.status()).as(a.toString()).isEqualTo(201);
        assertThat(json(a.body()).get("version").asLong()).isEqualTo(2);
        assertThat(json(a.body()).has("merged")).isFalse();

        // device B, still on version 1, closes a repair: merged onto 2 instead of 409
        Http.Response b = patch(http, "{\"baseVersion\":1,\"upserts\":{\"repairs\":[{\"id\":1,\"status\":\"done\",\"total\":19.90,\"parts\":{\"oil\":1}}]}}");
        assertThat(b.status()).as(b.toString()).isEqualTo(201);
        JsonNode bAnswer = json(b.body());
        assertThat(bAnswer.get("version").asLong()).isEqualTo(3);
        assertThat(bAnswer.get("merged")).isEqualTo(json("{\"base\":1,\"onto\":2}"));
        assertThat(bAnswer.get("conflicts")).isEmpty();
        assertThat(bAnswer.get("replaced").asInt()).isEqualTo(1);

        // a third device loaded version 1 an hour ago, changes a plate, and posts its whole state
        Http.Response v1 = http.get("/api/backup?version=1");
        assertThat(v1.header("ETag")).isEqualTo("\"1\"");
        String device = v1.body().replace("AB-123-CD", "EF-456-GH");
        Http.Response c = postOn(http, "/api/backup", v1.header("ETag"), device);
        assertThat(c.status()).as(c.toString()).isEqualTo(201);
        JsonNode cAnswer = json(c.body());
        assertThat(cAnswer.get("version").asLong()).isEqualTo(4);
        assertThat(cAnswer.get("merged")).isEqualTo(json("{\"base\":1,\"onto\":3}"));
        assertThat(cAnswer.get("conflicts")).isEmpty();
        assertThat(cAnswer.get("totalRecords").asInt()).isEqualTo(6);

        Http.Response got = http.get("/api/backup");
        assertThat(got.header("ETag")).isEqualTo("\"4\"").isEqualTo("\"" + got.header("X-Garage-Sync-Version") + "\"");
        // every device's change is in the latest; what nobody touched is byte for byte version 1's
        assertThat(got.body()).contains("{\"id\":\"c3\",\"name\":\"Loïc\"}",
                "{\"id\":1,\"status\":\"done\",\"total\":19.90,\"parts\":{\"oil\":1}}",
                "{\"id\":1,\"plate\":\"EF-456-GH\",\"customerId\":\"c1\"}",
                "{\"id\":\"c1\",\"name\":\"Élodie\",\"phone\":\"06\"},{\"id\":\"c2\",\"name\":\"Jérôme\"}",
                "{\"id\":2,\"status\":\"open\",\"total\":5}",
                "\"garage\":{\"name\":\"Garage Dupré\",\"phone\":\"01 02\"}",
                "\"settings\":{\"currency\":\"EUR\",\"vat\":20}");
        JsonNode customers = json(got.body()).at("/data/customers");
        assertThat(customers).hasSize(3);
        assertThat(customers.get(2).get("id").asText()).isEqualTo("c3");
    }

    @Test
    void both_touched_different_fields_of_a_record_keeps_both() {
        Http http = daemon.http().as("rule-fields");
        mergeOf(http, BASE.replace("\"status\":\"open\",\"total\":19.90", "\"status\":\"done\",\"total\":19.90"),
                BASE.replace("\"status\":\"open\",\"total\":19.90", "\"status\":\"open\",\"total\":25.50"));
        JsonNode repair = latest(http).at("/data/repairs/0");
        assertThat(repair.get("status").asText()).isEqualTo("done");
        assertThat(repair.get("total").decimalValue()).isEqualByComparingTo("25.50");
    }

    @Test
    void same_field_changed_on_both_keeps_the_device_value_and_lists_the_overwritten_one() {
        Http http = daemon.http().as("rule-same-field");
        Http.Response r = mergeOf(http, BASE.replace("\"name\":\"Élodie\"", "\"name\":\"Élodie M.\""),
                BASE.replace("\"name\":\"Élodie\"", "\"name\":\"Élodie Müller\""));
        assertThat(json(r.body()).get("conflicts")).isEqualTo(json("[{\"collection\":\"customers\",\"id\":\"c1\","
                + "\"field\":\"name\",\"kept\":\"Élodie Müller\",\"overwritten\":\"Élodie M.\",\"overwrittenIn\":2}]"));
        assertThat(json(r.body()).get("conflictCount").asInt()).isEqualTo(1);
        assertThat(latest(http).at("/data/customers/0/name").asText()).isEqualTo("Élodie Müller");
        // the overwritten value stays readable in the version the conflict names
        assertThat(json(http.get("/api/backup?version=2").body()).at("/data/customers/0/name").asText()).isEqualTo("Élodie M.");
    }

    @Test
    void deleted_on_the_latest_and_edited_on_the_device_is_kept_edited_and_listed() {
        Http http = daemon.http().as("rule-delete-edit");
        Http.Response r = mergeOf(http, BASE.replace(",{\"id\":\"c2\",\"name\":\"Jérôme\"}", ""),
                BASE.replace("\"name\":\"Jérôme\"", "\"name\":\"Jérôme B.\""));
        JsonNode conflicts = json(r.body()).get("conflicts");
        assertThat(conflicts).hasSize(1);
        assertThat(conflicts.get(0).get("collection").asText()).isEqualTo("customers");
        assertThat(conflicts.get(0).get("id").asText()).isEqualTo("c2");
        assertThat(conflicts.get(0).get("field").isNull()).isTrue();
        assertThat(latest(http).at("/data/customers/1/name").asText()).isEqualTo("Jérôme B.");
    }

    @Test
    void edited_on_the_latest_and_deleted_on_the_device_is_kept_with_the_edit() {
        Http http = daemon.http().as("rule-edit-delete");
        assertThat(http.postJson("/api/backup", BASE).status()).isEqualTo(201);
        assertThat(http.postJson("/api/backup", BASE.replace("\"name\":\"Jérôme\"", "\"name\":\"Jérôme B.\"")).status()).isEqualTo(201);
        Http.Response r = postOn(http, "/api/backup", "\"1\"", BASE.replace(",{\"id\":\"c2\",\"name\":\"Jérôme\"}", ""));
        // the device's only change, the delete, gives way to the edit: the latest stays as it is, the delete is listed
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        JsonNode answer = json(r.body());
        assertThat(answer.get("unchanged").asBoolean()).isTrue();
        assertThat(answer.get("conflicts")).isEqualTo(json("[{\"collection\":\"customers\",\"id\":\"c2\",\"field\":null,"
                + "\"kept\":{\"id\":\"c2\",\"name\":\"Jérôme B.\"},\"overwritten\":null,\"overwrittenIn\":2}]"));
        assertThat(latest(http).at("/data/customers/1/name").asText()).isEqualTo("Jérôme B.");
    }

    @Test
    void deleted_on_both_stays_deleted_and_a_one_sided_delete_applies() {
        Http http = daemon.http().as("rule-deletes");
        String withoutC2 = BASE.replace(",{\"id\":\"c2\",\"name\":\"Jérôme\"}", "");
        Http.Response r = mergeOf(http, withoutC2, withoutC2.replace(",{\"id\":2,\"status\":\"open\",\"total\":5}", ""));
        assertThat(json(r.body()).get("conflicts")).isEmpty();
        JsonNode latest = latest(http);
        assertThat(latest.at("/data/customers")).hasSize(1);
        assertThat(latest.at("/data/repairs")).hasSize(1);
    }

    @Test
    void added_on_both_with_one_id_merges_as_two_edits_of_an_empty_record() {
        Http http = daemon.http().as("rule-added-both");
        Http.Response r = mergeOf(http,
                BASE.replace("\"vehicles\":[", "\"vehicles\":[{\"id\":9,\"plate\":\"ZZ\",\"km\":100},"),
                BASE.replace("\"plate\":\"AB-123-CD\",\"customerId\":\"c1\"}", "\"plate\":\"AB-123-CD\",\"customerId\":\"c1\"},{\"id\":9,\"plate\":\"YY\",\"color\":\"red\"}"));
        JsonNode conflicts = json(r.body()).get("conflicts");
        assertThat(conflicts).hasSize(1);
        assertThat(conflicts.get(0).get("field").asText()).isEqualTo("plate");
        assertThat(conflicts.get(0).get("overwritten").asText()).isEqualTo("ZZ");
        JsonNode vehicles = latest(http).at("/data/vehicles");
        assertThat(vehicles).hasSize(2);
        JsonNode nine = vehicles.get(0);
        assertThat(nine.get("plate").asText()).isEqualTo("YY");
        assertThat(nine.get("km").asInt()).isEqualTo(100);
        assertThat(nine.get("color").asText()).isEqualTo("red");
    }

    @Test
    void garage_settings_and_top_level_members_merge_field_by_field() {
        Http http = daemon.http().as("rule-members");
        Http.Response r = mergeOf(http,
                BASE.replace("\"phone\":\"01 02\"", "\"phone\":\"01 03\"").replace("\"vat\":20", "\"vat\":21")
                        .replace("2026-11-24T08:00:00.000Z", "2026-11-24T09:00:00.000Z"),
                BASE.replace("\"name\":\"Garage Dupré\"", "\"name\":\"Garage Dupré & Fils\"").replace("\"currency\":\"EUR\"", "\"currency\":\"CHF\"")
                        .replace("2026-11-24T08:00:00.000Z", "2026-11-24T10:00:00.000Z"));
        assertThat(json(r.body()).get("conflicts")).isEmpty();
        JsonNode latest = latest(http);
        assertThat(latest.get("garage")).isEqualTo(json("{\"name\":\"Garage Dupré & Fils\",\"phone\":\"01 03\"}"));
        assertThat(latest.at("/data/settings")).isEqualTo(json("{\"currency\":\"CHF\",\"vat\":21}"));
        assertThat(latest.get("timestamp").asText()).isEqualTo("2026-11-24T10:00:00.000Z");
    }

    @Test
    void string_and_number_ids_are_different_records_and_new_ones_follow_the_latest_order() {
        Http http = daemon.http().as("rule-ids");
        mergeOf(http, BASE.replace("\"stock\"", "\"x\"").replace("\"settings\":{", "\"stock\":[{\"id\":1,\"qty\":2}],\"settings\":{"),
                BASE.replace("\"settings\":{", "\"stock\":[{\"id\":\"1\",\"qty\":7},{\"id\":\"b\",\"qty\":1}],\"settings\":{"));
        JsonNode stock = latest(http).at("/data/stock");
        assertThat(stock).hasSize(3);
        assertThat(stock.get(0).get("id").isNumber()).isTrue();
        assertThat(stock.get(1).get("id").asText()).isEqualTo("1");
        assertThat(stock.get(2).get("id").asText()).isEqualTo("b");
    }

    @Test
    void a_merge_that_changes_nothing_answers_unchanged() {
        Http http = daemon.http().as("merge-unchanged");
        String latest = BASE.replace("\"name\":\"Jérôme\"", "\"name\":\"Jérôme B.\"");
        assertThat(http.postJson("/api/backup", BASE).status()).isEqualTo(201);
        assertThat(http.postJson("/api/backup", latest).status()).isEqualTo(201);
        // this device made the same edit from version 1: nothing left to apply
        Http.Response r = postOn(http, "/api/backup", "\"1\"", latest);
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        JsonNode answer = json(r.body());
        assertThat(answer.get("unchanged").asBoolean()).isTrue();
        assertThat(answer.get("version").asLong()).isEqualTo(2);
        assertThat(answer.get("merged")).isEqualTo(json("{\"base\":1,\"onto\":2}"));
        assertThat(http.get("/api/backup/versions").body()).doesNotContain("\"id\":3");
    }

    @Test
    void if_match_on_the_latest_is_an_ordinary_store() {
        Http http = daemon.http().as("on-latest");
        assertThat(http.postJson("/api/backup", BASE).status()).isEqualTo(201);
        String edited = BASE.replace("Jérôme", "Jérôme B.");
        Http.Response r = postOn(http, "/api/backup", "\"1\"", edited);
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        assertThat(json(r.body()).has("merged")).isFalse();
        assertThat(http.get("/api/backup").body()).isEqualTo(edited);
    }

    @Test
    void the_seeds_backup_data_post_merges_with_if_match_too() {
        Http http = daemon.http().as("seed-merge");
        assertThat(http.postJson("/.netlify/functions/backup-data", BASE).status()).isEqualTo(201);
        assertThat(http.postJson("/.netlify/functions/backup-data", BASE.replace("\"vat\":20", "\"vat\":21")).status()).isEqualTo(201);
        Http.Response seedGet = http.get("/.netlify/functions/backup-data?version=1");
        assertThat(seedGet.header("ETag")).isEqualTo("\"1\"");
        Http.Response r = postOn(http, "/.netlify/functions/backup-data", "\"1\"", BASE.replace("Jérôme", "Jérôme B."));
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        assertThat(json(r.body()).get("merged")).isEqualTo(json("{\"base\":1,\"onto\":2}"));
        JsonNode latest = latest(http);
        assertThat(latest.at("/data/settings/vat").asInt()).isEqualTo(21);
        assertThat(latest.at("/data/customers/1/name").asText()).isEqualTo("Jérôme B.");
    }

    @Test
    void a_merged_version_is_listed_with_how_it_was_merged() {
        Http http = daemon.http().as("listed");
        mergeOf(http, BASE.replace("\"name\":\"Élodie\"", "\"name\":\"Élodie M.\""),
                BASE.replace("\"name\":\"Élodie\"", "\"name\":\"Élodie Müller\""));
        JsonNode versions = json(http.get("/api/backup/versions").body()).get("versions");
        assertThat(versions.get(0).get("id").asLong()).isEqualTo(3);
        assertThat(versions.get(0).get("merged")).isEqualTo(json("{\"base\":1,\"onto\":2,\"conflicts\":[{\"collection\":\"customers\","
                + "\"id\":\"c1\",\"field\":\"name\",\"kept\":\"Élodie Müller\",\"overwritten\":\"Élodie M.\",\"overwrittenIn\":2}],"
                + "\"conflictCount\":1}"));
        assertThat(versions.get(1).has("merged")).isFalse();
    }

    @Test
    void a_stale_patch_is_merged_and_a_conflicting_one_lists_what_it_overwrote() {
        Http http = daemon.http().as("stale-patch");
        assertThat(http.postJson("/api/backup", BASE).status()).isEqualTo(201);
        assertThat(patch(http, "{\"baseVersion\":1,\"upserts\":{\"customers\":[{\"id\":\"c2\",\"name\":\"Jérôme A.\"}]}}").status())
                .isEqualTo(201);
        Http.Response r = patch(http, "{\"baseVersion\":1,\"upserts\":{\"customers\":[{\"id\":\"c2\",\"name\":\"Jérôme B.\"}]},"
                + "\"deletes\":{\"repairs\":[2]}}");
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        JsonNode answer = json(r.body());
        assertThat(answer.get("merged")).isEqualTo(json("{\"base\":1,\"onto\":2}"));
        assertThat(answer.get("conflicts")).isEqualTo(json("[{\"collection\":\"customers\",\"id\":\"c2\",\"field\":\"name\","
                + "\"kept\":\"Jérôme B.\",\"overwritten\":\"Jérôme A.\",\"overwrittenIn\":2}]"));
        JsonNode latest = latest(http);
        assertThat(latest.at("/data/customers/1/name").asText()).isEqualTo("Jérôme B.");
        assertThat(latest.at("/data/repairs")).hasSize(1);
    }

    @Test
    void an_if_match_that_is_not_one_strong_etag_is_refused_and_nothing_is_stored() {
        Http http = daemon.http().as("bad-if-match");
        assertThat(http.postJson("/api/backup", BASE).status()).isEqualTo(201);
        String[][] cases = {
            {"*", "'*' names no version"},
            {"W/\"1\"", "weak ETag"},
            {"\"1\", \"2\"", "a list"},
            {"1", "in quotes"},
            {"\"abc\"", "in quotes"},
            {"\"1", "in quotes"},
            {"\"-1\"", "in quotes"},
            {"\"12345678901234567890\"", "in quotes"},
        };
        for (String[] c : cases) {
            Http.Response r = postOn(http, "/api/backup", c[0], BASE.replace("Jérôme", "X"));
            assertThat(r.status()).as(c[0] + " -> " + r).isEqualTo(400);
            JsonNode body = json(r.body());
            assertThat(body.get("error").asText()).isEqualTo("invalid_request");
            assertThat(body.get("status").asInt()).isEqualTo(400);
            assertThat(body.get("message").asText()).as(c[0]).startsWith("If-Match: ").contains(c[1]);
        }
        assertThat(json(http.get("/api/backup/versions").body()).get("versions")).hasSize(1);
    }

    @Test
    void a_base_that_is_not_kept_is_412_base_gone_and_nothing_is_stored() {
        Http http = daemon.http().as("base-gone");
        Http.Response none = postOn(http, "/api/backup", "\"1\"", BASE);
        assertThat(none.status()).as(none.toString()).isEqualTo(412);
        assertThat(json(none.body()).get("error").asText()).isEqualTo("base-gone");
        assertThat(http.postJson("/api/backup", BASE).status()).isEqualTo(201);
        Http.Response r = postOn(http, "/api/backup", "\"7\"", BASE.replace("Jérôme", "X"));
        assertThat(r.status()).as(r.toString()).isEqualTo(412);
        JsonNode body = json(r.body());
        assertThat(body.get("error").asText()).isEqualTo("base-gone");
        assertThat(body.get("status").asInt()).isEqualTo(412);
        assertThat(body.get("latest").asLong()).isEqualTo(1);
        assertThat(body.get("message").asText()).contains("version 7", "GET /api/backup");
        Http.Response p = patch(http, "{\"baseVersion\":7,\"upserts\":{\"customers\":[{\"id\":\"c9\"}]}}");
        assertThat(p.status()).as(p.toString()).isEqualTo(412);
        assertThat(json(http.get("/api/backup/versions").body()).get("versions")).hasSize(1);
    }

    @Test
    void an_invalid_body_with_if_match_is_400_before_any_merge() {
        Http http = daemon.http().as("bad-body");
        assertThat(http.postJson("/api/backup", BASE).status()).isEqualTo(201);
        assertThat(http.postJson("/api/backup", BASE.replace("Jérôme", "J")).status()).isEqualTo(201);
        Http.Response r = postOn(http, "/api/backup", "\"1\"", BASE.replace("{\"id\":\"c2\",", "{"));
        assertThat(r.status()).as(r.toString()).isEqualTo(400);
        assertThat(r.body()).contains("\"error\":\"invalid_backup\"", "customers[1].id");
        assertThat(json(http.get("/api/backup/versions").body()).get("versions")).hasSize(2);
    }
}
