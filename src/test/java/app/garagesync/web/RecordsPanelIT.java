package app.garagesync.web;

import static org.assertj.core.api.Assertions.assertThat;

import app.garagesync.testing.ConsoleExtension;
import app.garagesync.testing.Http;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.Select;

/**
 * The console's "Fiches" panel and the client's record methods in a real Chromium against the real
 * daemon (issue 12): a customer edited then deleted is found by a search written in another case and
 * without accents, its timeline tells what changed, and "Rétablir cette version de la fiche" brings it
 * back exactly, nothing else changed (checked over HTTP against the documents posted here).
 */
class RecordsPanelIT {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final ObjectMapper JSON = new ObjectMapper();

    // the garage, version by version: Élodie's phone changes in 2, she is deleted in 3 while Jean's
    // record and a vehicle change too
    private static final String ELODIE_1 = "{\"id\":\"c1\",\"name\":\"Élodie Müller\",\"phone\":\"0601\",\"note\":\"cliente 🚗\"}";
    private static final String ELODIE_2 = "{\"id\":\"c1\",\"name\":\"Élodie Müller\",\"phone\":\"06 11 22 33 44\",\"note\":\"cliente 🚗\",\"city\":\"Lyon\"}";
    private static final String JEAN_1 = "{\"id\":\"c2\",\"name\":\"Jean Dupont\",\"phone\":\"0602\"}";
    private static final String JEAN_3 = "{\"id\":\"c2\",\"name\":\"Jean Dupont\",\"phone\":\"0699\"}";
    private static final String CLIO_1 = "{\"id\":1,\"plate\":\"AB-123-CD\",\"make\":\"Renault\",\"model\":\"Clio\",\"customerId\":\"c1\"}";
    private static final String CLIO_3 = "{\"id\":1,\"plate\":\"AB-123-CD\",\"make\":\"Renault\",\"model\":\"Clio\",\"customerId\":\"c2\"}";
    private static final String INVOICE = "{\"id\":\"F-1\",\"number\":\"F-2026-001\",\"amount\":19.90,\"counter\":12345678901234567890123}";
    private static final String V1 = doc(ELODIE_1 + "," + JEAN_1, CLIO_1, INVOICE);
    private static final String V2 = doc(ELODIE_2 + "," + JEAN_1, CLIO_1, INVOICE);
    private static final String V3 = doc(JEAN_3, CLIO_3, INVOICE);

    @RegisterExtension
    static final ConsoleExtension console = ConsoleExtension.withDaemon(work -> new String[0]);

    private static String doc(String customers, String vehicles, String invoices) {
        return "{\"timestamp\":\"2026-11-24T08:00:00.000Z\",\"version\":\"1.0\",\"garage\":{\"name\":\"Garage Dupré\"},"
                + "\"data\":{\"customers\":[" + customers + "],\"vehicles\":[" + vehicles + "],\"invoices\":[" + invoices
                + "],\"settings\":{\"currency\":\"EUR\"}}}";
    }

    private static Http postThree(String user) {
        Http http = console.daemon().http().as(user);
        for (String v : List.of(V1, V2, V3)) {
            Http.Response r = http.postJson("/api/backup", v);
            assertThat(r.status()).as(r.toString()).isEqualTo(201);
        }
        return http;
    }

    @Test
    void should_find_a_deleted_customer_show_its_timeline_and_bring_back_the_version_before_the_deletion() throws IOException {
        Http http = postThree("fiches");
        openConsoleAs("fiches");

        // upper case, no accents: the daemon folds both; she is no longer in the latest: the panel says
        // where to look, and finds her among the deleted records
        WebElement q = driver().findElement(By.id("record-q"));
        q.sendKeys("ELODIE MULLER", Keys.ENTER);
        console.browser().waiting(WAIT).until(d -> d.findElement(By.id("record-status")).getText().equals(
                "Aucune fiche ne correspond à « ELODIE MULLER ». Une fiche supprimée ? Cochez « Inclure les fiches supprimées » et cherchez de nouveau."));
        driver().findElement(By.id("record-deleted")).sendKeys(Keys.SPACE);
        q.sendKeys(Keys.ENTER);
        console.browser().waiting(WAIT).until(d -> d.findElement(By.id("record-status")).getText().equals("1 fiche trouvée pour « ELODIE MULLER »."));
        List<WebElement> found = driver().findElements(By.cssSelector("#record-results li[data-id]"));
        assertThat(found).hasSize(1);
        WebElement open = found.get(0).findElement(By.tagName("button"));
        assertThat(open.getText()).contains("Client").contains("Élodie Müller").contains("supprimée");

        // keyboard: the match is a button, Enter opens the timeline and the focus goes to its title
        open.sendKeys(Keys.ENTER);
        console.browser().waiting(WAIT).until(d -> d.findElements(By.cssSelector("#record-timeline > li[data-version]")).size() == 3);
        assertThat(driver().switchTo().activeElement().getDomAttribute("id")).isEqualTo("record-timeline-title");
        assertThat(driver().findElement(By.id("record-timeline-title")).getText()).isEqualTo("Historique de la fiche Élodie Müller");
        List<WebElement> entries = driver().findElements(By.cssSelector("#record-timeline > li[data-version]"));
        assertThat(entries.stream().map(e -> e.getDomAttribute("data-version") + " " + e.getDomAttribute("data-change")))
                .containsExactly("3 deleted", "2 updated", "1 inserted");
        assertThat(entries.get(0).getText()).startsWith("Supprimée");
        assertThat(entries.get(1).getText()).startsWith("Modifiée")
                .contains("téléphone : « 0601 » → « 06 11 22 33 44 »")
                .contains("ville : (vide) → « Lyon »");
        assertThat(entries.get(2).getText()).startsWith("Créée");
        // the version number and the raw record are behind "détails", not in the sentence
        WebElement raw = entries.get(1).findElement(By.cssSelector("details code"));
        assertThat(raw.isDisplayed()).isFalse();
        assertThat(entries.get(1).getText()).doesNotContain("Version 2");
        entries.get(1).findElement(By.cssSelector("details summary")).click();
        assertThat(raw.getText()).contains("Version 2").contains("\"06 11 22 33 44\"");
        // nothing to bring back on a deletion; the older versions have the button
        assertThat(entries.get(0).findElements(By.cssSelector("button.restore-record"))).isEmpty();
        assertThat(entries.get(2).findElements(By.cssSelector("button.restore-record"))).hasSize(1);

        // cancel first: nothing stored
        entries.get(1).findElement(By.cssSelector("button.restore-record")).click();
        console.browser().waiting(WAIT).until(d -> d.findElement(By.id("record-confirm")).getDomAttribute("open") != null);
        assertThat(driver().findElement(By.id("record-confirm")).getText())
                .contains("Rétablir cette version de la fiche ?").contains("téléphone : « 06 11 22 33 44 »");
        driver().findElement(By.cssSelector("#record-confirm button[value=cancel]")).click();
        console.browser().waiting(WAIT).until(d -> d.findElement(By.id("record-confirm")).getDomAttribute("open") == null);
        assertThat(versionCount(http)).isEqualTo(3);

        Files.write(Files.createDirectories(Path.of("target")).resolve("console-records.png"), driver().getScreenshotAs(OutputType.BYTES));
        driver().findElements(By.cssSelector("#record-timeline > li[data-version]")).get(1)
                .findElement(By.cssSelector("button.restore-record")).click();
        console.browser().waiting(WAIT).until(d -> d.findElement(By.id("record-confirm")).getDomAttribute("open") != null);
        driver().findElement(By.id("record-confirm-ok")).click();

        // the panel says what happened, and the timeline now starts with her return
        console.browser().waiting(WAIT).until(d -> d.findElement(By.id("record-status")).getText().startsWith("Fiche Élodie Müller rétablie telle qu’elle était le"));
        console.browser().waiting(WAIT).until(d -> "4".equals(d.findElement(By.cssSelector("#record-timeline > li[data-version]")).getDomAttribute("data-version")));
        assertThat(driver().findElement(By.cssSelector("#record-timeline > li[data-version]")).getText()).contains("état actuel");
        console.browser().waiting(WAIT).until(d -> !d.findElement(By.cssSelector("#record-results button")).getText().contains("supprimée"));
        console.browser().waiting(WAIT).until(d -> "record-timeline-title".equals(d.switchTo().activeElement().getDomAttribute("id")));

        // over HTTP: version 4 is version 3 with her record exactly as in version 2, put back at the end
        assertThat(versionCount(http)).isEqualTo(4);
        assertThat(http.get("/api/records/customers/c1").body()).isEqualTo(ELODIE_2);
        assertThat(http.get("/api/backup").body()).isEqualTo(doc(JEAN_3 + "," + ELODIE_2, CLIO_3, INVOICE));
        JsonNode diff = JSON.readTree(http.get("/api/diff?from=3&to=4").body());
        assertThat(diff.get("collections").toString()).isEqualTo("{\"customers\":{\"inserted\":[\"c1\"],\"updated\":[],\"deleted\":[]}}");
        assertThat(console.browser().consoleErrors()).isEmpty();
    }

    @Test
    void should_compare_two_backups_with_the_right_counts_that_open_to_the_records() {
        Http http = postThree("comparer");
        openConsoleAs("comparer");

        new Select(driver().findElement(By.id("diff-from"))).selectByValue("1");
        new Select(driver().findElement(By.id("diff-to"))).selectByValue("3");
        driver().findElement(By.cssSelector("#diff-form button")).click();

        // from the documents posted: customers c1 deleted and c2 changed, vehicle 1 changed, the invoice the same
        console.browser().waiting(WAIT).until(d -> d.findElements(By.cssSelector("#diff-result details.diff-collection")).size() == 2);
        assertThat(counts("customers")).isEqualTo(Map.of("inserted", "0", "updated", "1", "deleted", "1"));
        assertThat(counts("vehicles")).isEqualTo(Map.of("inserted", "0", "updated", "1", "deleted", "0"));
        assertThat(driver().findElements(By.cssSelector("#diff-result details[data-collection=invoices]"))).isEmpty();
        WebElement customers = driver().findElement(By.cssSelector("#diff-result details[data-collection=customers]"));
        assertThat(customers.findElement(By.tagName("summary")).getText()).isEqualTo("Clients : 0 ajoutée, 1 modifiée, 1 supprimée");

        // opened from the keyboard: the records, in words
        customers.findElement(By.tagName("summary")).sendKeys(Keys.ENTER);
        console.browser().waiting(WAIT).until(d -> d.findElements(By.cssSelector("#diff-result details[data-collection=customers] ul.diff-records li[data-id]")).size() == 2);
        WebElement opened = driver().findElement(By.cssSelector("#diff-result details[data-collection=customers]"));
        assertThat(opened.findElement(By.cssSelector("ul[data-kind=updated] li")).getText())
                .contains("Jean Dupont").contains("téléphone : « 0602 » → « 0699 »");
        assertThat(opened.findElement(By.cssSelector("ul[data-kind=deleted] li")).getText()).contains("Élodie Müller");
        assertThat(driver().switchTo().activeElement().getText()).startsWith("Clients");

        // from the same two versions, the API says the same
        assertThat(http.get("/api/diff?from=1&to=3").body())
                .isEqualTo("{\"from\":1,\"to\":3,\"collections\":{\"customers\":{\"inserted\":[],\"updated\":[\"c2\"],\"deleted\":[\"c1\"]},"
                        + "\"vehicles\":{\"inserted\":[],\"updated\":[1],\"deleted\":[]}}}");
        assertThat(console.browser().consoleErrors()).isEmpty();
    }

    @Test
    void should_find_a_vehicle_by_its_plate_and_an_invoice_by_its_number() {
        postThree("plaques");
        openConsoleAs("plaques");

        new Select(driver().findElement(By.id("record-kind"))).selectByValue("vehicles");
        driver().findElement(By.id("record-q")).sendKeys("ab-123", Keys.ENTER);
        console.browser().waiting(WAIT).until(d -> d.findElement(By.id("record-status")).getText().equals("1 fiche trouvée pour « ab-123 »."));
        assertThat(driver().findElement(By.cssSelector("#record-results button")).getText())
                .isEqualTo("Véhicule AB-123-CD (Renault Clio)");

        new Select(driver().findElement(By.id("record-kind"))).selectByValue("invoices");
        WebElement q = driver().findElement(By.id("record-q"));
        q.clear();
        q.sendKeys("f-2026-001", Keys.ENTER);
        console.browser().waiting(WAIT).until(d -> d.findElement(By.id("record-status")).getText().equals("1 fiche trouvée pour « f-2026-001 »."));
        assertThat(driver().findElement(By.cssSelector("#record-results button")).getText()).isEqualTo("Facture F-2026-001");
        driver().findElement(By.cssSelector("#record-results button")).click();
        console.browser().waiting(WAIT).until(d -> d.findElements(By.cssSelector("#record-timeline > li[data-version]")).size() == 1);
        // never changed: one entry, its creation, which is also what it is now (nothing to bring back)
        WebElement only = driver().findElement(By.cssSelector("#record-timeline > li[data-version]"));
        assertThat(only.getText()).startsWith("Créée").contains("état actuel");
        assertThat(only.findElements(By.cssSelector("button.restore-record"))).isEmpty();

        // nothing found says so (among the deleted ones too)
        driver().findElement(By.id("record-deleted")).click();
        q.clear();
        q.sendKeys("personne", Keys.ENTER);
        console.browser().waiting(WAIT).until(d -> d.findElement(By.id("record-status")).getText().equals("Aucune fiche ne correspond à « personne »."));
        assertThat(driver().findElements(By.cssSelector("#record-results li[data-id]"))).isEmpty();
        assertThat(console.browser().consoleErrors()).isEmpty();
    }

    @Test
    void should_speak_english_when_switched() {
        postThree("english-records");
        openConsoleAs("english-records");
        new Select(driver().findElement(By.id("lang"))).selectByVisibleText("English");
        console.browser().waiting(WAIT).until(d -> "en".equals(d.findElement(By.tagName("html")).getDomAttribute("lang")));
        assertThat(driver().findElement(By.id("records-title")).getText()).isEqualTo("Records");
        assertThat(driver().findElement(By.id("diff-title")).getText()).isEqualTo("Compare two backups");
        assertThat(driver().findElement(By.cssSelector("#record-search button")).getText()).isEqualTo("Search");

        driver().findElement(By.id("record-deleted")).click();
        driver().findElement(By.id("record-q")).sendKeys("élodie", Keys.ENTER);
        console.browser().waiting(WAIT).until(d -> d.findElement(By.id("record-status")).getText().equals("1 record found for \"élodie\"."));
        assertThat(driver().findElement(By.cssSelector("#record-results button")).getText()).contains("Customer").contains("deleted");
        driver().findElement(By.cssSelector("#record-results button")).click();
        console.browser().waiting(WAIT).until(d -> d.findElements(By.cssSelector("#record-timeline > li[data-version]")).size() == 3);
        List<WebElement> entries = driver().findElements(By.cssSelector("#record-timeline > li[data-version]"));
        assertThat(entries.get(0).getText()).startsWith("Deleted");
        assertThat(entries.get(1).getText()).startsWith("Changed").contains("phone: « 0601 » → « 06 11 22 33 44 »".replace("« ", "\"").replace(" »", "\""));
        assertThat(entries.get(1).findElement(By.cssSelector("button.restore-record")).getText()).isEqualTo("Bring back this version of the record");

        // and back to French, the texts on screen included
        new Select(driver().findElement(By.id("lang"))).selectByVisibleText("Français");
        console.browser().waiting(WAIT).until(d -> d.findElement(By.id("record-status")).getText().equals("1 fiche trouvée pour « élodie »."));
        assertThat(driver().findElements(By.cssSelector("#record-timeline > li[data-version]")).get(0).getText()).startsWith("Supprimée");
    }

    @Test
    void should_round_trip_the_client_record_methods_in_the_browser() throws Exception {
        Http http = postThree("client-fiches");
        // a string id that reads as a number must stay a string: "42" in stock, beside the number 1 in vehicles
        String stock = "{\"id\":\"42\",\"label\":\"Filtre à huile\"}";
        Http.Response r = http.postJson("/api/backup", V3.replace("\"settings\"", "\"stock\":[" + stock + "],\"settings\""));
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        ChromeDriver driver = driver();
        driver.get("http://127.0.0.1:" + console.daemon().port() + "/test-app.html?user=client-fiches");
        console.browser().waiting(WAIT).until(d -> "true".equals(d.findElement(By.tagName("body")).getDomAttribute("data-ready")));

        assertThat(JSON.readTree(call("garageSync.record('customers', 'c1', {version: 2})"))).isEqualTo(JSON.readTree(ELODIE_2));
        assertThat(JSON.readTree(call("garageSync.record('vehicles', 1)"))).isEqualTo(JSON.readTree(CLIO_3));
        assertThat(JSON.readTree(call("garageSync.record('stock', '42')"))).isEqualTo(JSON.readTree(stock));

        JsonNode history = JSON.readTree(call("garageSync.history('customers', 'c1')"));
        assertThat(history.get("history").findValuesAsText("change")).containsExactly("deleted", "updated", "inserted");
        assertThat(JSON.readTree(call("garageSync.history('customers', 'c1', {limit: 1})")).get("more").asBoolean()).isTrue();

        JsonNode found = JSON.readTree(call("garageSync.searchRecords('customers', 'ÉLODIE', {deleted: true})"));
        assertThat(found.get("records")).isEmpty();
        assertThat(found.at("/deleted/0/record")).isEqualTo(JSON.readTree(ELODIE_2));
        assertThat(JSON.readTree(call("garageSync.searchRecords('vehicles', 'ab-123')")).at("/records/0/id").asInt()).isEqualTo(1);

        JsonNode diff = JSON.readTree(call("garageSync.diff(1, 3, {records: true})"));
        assertThat(diff.at("/collections/customers/deleted/0").asText()).isEqualTo("c1");
        assertThat(diff.at("/collections/customers/records").findValuesAsText("change")).containsExactlyInAnyOrder("updated", "deleted");

        JsonNode restored = JSON.readTree(call("garageSync.restoreRecord('customers', 'c1', 1)"));
        assertThat(restored.get("version").asLong()).isEqualTo(5);
        assertThat(restored.get("change").asText()).isEqualTo("inserted");
        assertThat(http.get("/api/records/customers/c1").body()).isEqualTo(ELODIE_1);
        assertThat(JSON.readTree(call("garageSync.restoreRecord('customers', 'c1', 1)")).get("unchanged").asBoolean()).isTrue();

        // a refusal rejects with the daemon's words; a question refused is no sync failure
        assertThat(call("garageSync.record('customers', 'nobody')")).startsWith("ERR 404 not_found").contains("nobody");
        assertThat(call("garageSync.diff(1, 'x')")).startsWith("ERR 400");
        assertThat(call("Promise.resolve(garageSync.status.state)")).isNotEqualTo("\"error\"");
        // the sync history is still there without arguments
        assertThat(call("garageSync.history().then((h) => Array.isArray(h) || h === null)")).isEqualTo("true");
    }

    // ---- helpers

    /** Runs a client call in the page: its answer as JSON text, or "ERR status code message". */
    private static String call(String expression) {
        return (String) driver().executeAsyncScript("const done = arguments[arguments.length - 1];"
                + "Promise.resolve().then(() => " + expression + ")"
                + ".then((a) => done(JSON.stringify(a)), (e) => done('ERR ' + e.status + ' ' + e.code + ' ' + e.message));");
    }

    private static Map<String, String> counts(String collection) {
        List<WebElement> spans = driver().findElements(By.cssSelector("#diff-result details[data-collection=" + collection + "] summary .count"));
        return Map.of(spans.get(0).getDomAttribute("data-kind"), spans.get(0).getDomAttribute("data-count"),
                spans.get(1).getDomAttribute("data-kind"), spans.get(1).getDomAttribute("data-count"),
                spans.get(2).getDomAttribute("data-kind"), spans.get(2).getDomAttribute("data-count"));
    }

    private static ChromeDriver driver() {
        return console.browser().driver();
    }

    private static Object js(String script, Object... args) {
        return ((JavascriptExecutor) driver()).executeScript(script, args);
    }

    /** Opens the console as this user, the way a person would: typing the id and pressing Enter. */
    private static void openConsoleAs(String user) {
        driver().manage().window().setSize(new Dimension(1280, 1000));
        console.browser().openConsole(console.daemon().port(), user, WAIT);
        console.browser().consoleErrors();
        // the pickers are filled from the versions
        console.browser().waiting(WAIT).until(d -> d.findElements(By.cssSelector("#diff-from option")).size() >= 3);
    }

    private static int versionCount(Http http) {
        String body = http.get("/api/backup/versions").body();
        return body.split("\"id\":", -1).length - 1;
    }
}
