package app.garagesync.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import app.garagesync.testing.Backups;
import app.garagesync.testing.Browser;
import app.garagesync.testing.Http;
import app.garagesync.testing.RunningDaemon;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;

/**
 * The garage app's side: a page wired to the client like docs/console.md shows (test-app.html), through
 * bursts of edits and through an outage (a daemon stopped and started again on the same port and data
 * directory).
 */
class BrowserClientIT {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String USER = "garage-hors-ligne";
    private static final String OFFLINE_KEY = "garage-sync:offline:" + USER;

    @TempDir
    Path workDir;
    RunningDaemon daemon;
    Browser browser;

    @AfterEach
    void stop() {
        if (browser != null) {
            browser.close();
        }
        if (daemon != null) {
            daemon.close();
        }
    }

    @Test
    void should_show_offline_keep_a_gzip_copy_and_send_it_when_the_daemon_is_back() throws IOException {
        Browser.requireInstalled();
        Path data = Files.createDirectories(workDir.resolve("data"));
        String port = String.valueOf(freePort());
        daemon = RunningDaemon.start(data, "camel.server.port", port);
        Http http = daemon.http().as(USER);
        http.putJson("/api/sync/settings", "{\"enabled\":true}");
        browser = Browser.open(workDir);
        ChromeDriver driver = browser.driver();
        driver.get("http://127.0.0.1:" + port + "/test-app.html?user=" + USER + "&retryBase=200&retryMax=1000&status=500");
        browser.waiting(WAIT).until(d -> "true".equals(d.findElement(By.tagName("body")).getDomAttribute("data-ready")));
        awaitIndicator("idle");

        driver.executeScript("window.appData = arguments[0];", Backups.small(42));
        daemon.close();
        awaitIndicator("offline");

        // "click = sync now" while the daemon is away: the data must land in the offline copy
        driver.findElement(By.tagName("garage-sync-indicator")).click();
        browser.waiting(WAIT).until(d -> offlineCopy(d) != null);
        @SuppressWarnings("unchecked")
        Map<String, Object> copy = (Map<String, Object>) driver.executeScript(
                "return JSON.parse(localStorage.getItem(arguments[0]));", OFFLINE_KEY);
        assertThat(copy.get("encoding")).isEqualTo("gzip");
        assertThat(tooltip(driver)).contains("Copie locale en attente d’envoi");
        assertThat(driver.findElement(By.tagName("garage-sync-indicator")).getDomAttribute("state")).isEqualTo("offline");

        daemon = RunningDaemon.start(data, "camel.server.port", port);

        // no off-site target on this daemon: saved there, never "synced"
        awaitIndicator("local");
        browser.waiting(WAIT).until(d -> offlineCopy(d) == null);
        Http back = daemon.http().as(USER);
        await().atMost(WAIT).untilAsserted(() -> assertThat(back.get("/api/backup").body()).isEqualTo(Backups.small(42)));
        assertThat(tooltip(driver)).contains("Enregistré sur ce serveur").contains("aucune destination n’est configurée")
                .doesNotContain("Copie locale");
    }

    @Test
    void should_send_a_burst_of_changes_once_after_a_quiet_moment() throws IOException {
        Browser.requireInstalled();
        daemon = RunningDaemon.start(Files.createDirectories(workDir.resolve("data")));
        Http http = daemon.http().as("rafale");
        http.putJson("/api/sync/settings", "{\"enabled\":true}");
        browser = Browser.open(workDir);
        ChromeDriver driver = browser.driver();
        driver.get("http://127.0.0.1:" + daemon.port() + "/test-app.html?user=rafale&debounce=300");
        browser.waiting(WAIT).until(d -> "true".equals(d.findElement(By.tagName("body")).getDomAttribute("data-ready")));

        // five edits in a row, as a mechanic typing a repair: one backup, of the last state
        driver.executeScript("for (const data of arguments[0]) { window.appData = data; window.garageSync.changed(); }",
                java.util.List.of(Backups.small(1), Backups.small(2), Backups.small(3), Backups.small(4), Backups.small(5)));

        await().atMost(WAIT).untilAsserted(() -> assertThat(http.get("/api/backup").body()).isEqualTo(Backups.small(5)));
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5))
                .until(() -> http.get("/api/backup/versions").body().split("\"id\":", -1).length - 1 == 1);
        awaitIndicator("local");
    }

    @Test
    void should_send_only_the_changed_entities_when_it_knows_the_latest_version() throws Exception {
        Browser.requireInstalled();
        daemon = RunningDaemon.start(Files.createDirectories(workDir.resolve("data")));
        Http http = daemon.http().as("incr");
        browser = Browser.open(workDir);
        ChromeDriver driver = browser.driver();
        driver.get("http://127.0.0.1:" + daemon.port() + "/test-app.html?user=incr");
        browser.waiting(WAIT).until(d -> "true".equals(d.findElement(By.tagName("body")).getDomAttribute("data-ready")));
        StringBuilder customers = new StringBuilder();
        for (int i = 0; i < 50; i++) {
            customers.append(i == 0 ? "" : ",").append("{\"id\":\"c").append(i).append("\",\"name\":\"Client ").append(i).append(" Dupré\"}");
        }
        String doc = "{\"timestamp\":\"2026-11-24T08:00:00.000Z\",\"version\":\"1.0\",\"garage\":{\"name\":\"Garage\"},"
                + "\"data\":{\"customers\":[" + customers + "],\"repairs\":[{\"id\":1,\"total\":19.5}],\"settings\":{}}}";
        driver.executeScript("window.appData = JSON.parse(arguments[0]);", doc);
        String first = send(driver);
        assertThat(first).contains("\"version\":1").doesNotContain("replaced");

        // one customer renamed, one repair removed, one added: a change-set, not the whole document
        driver.executeScript("const d = window.appData.data; d.customers[7].name = 'Jérôme 🚗'; d.repairs = [{id: 2, total: 40}];"
                + "d.customers.push({id: 'c99', name: 'Anaïs'});");
        String second = send(driver);
        assertThat(second).contains("\"version\":2", "\"replaced\":1", "\"inserted\":2", "\"deleted\":1");
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        String appData = (String) driver.executeScript("return JSON.stringify(window.appData);");
        com.fasterxml.jackson.databind.JsonNode stored = json.readTree(http.get("/api/backup").body());
        assertThat(stored.at("/data/customers/7/name").asText()).isEqualTo("Jérôme 🚗");
        assertThat(stored.at("/data/repairs")).isEqualTo(json.readTree(appData).at("/data/repairs"));
        assertThat(stored.at("/data/customers").size()).isEqualTo(51);

        // another device wrote a version in between (it replaced everything): this device's one edit is
        // merged onto it, never its whole document posted over it (issue 11: the old client lost version 3)
        assertThat(http.postJson("/api/backup", Backups.small(7)).status()).isEqualTo(201);
        driver.executeScript("window.appData.data.customers[0].name = 'Élodie';");
        String third = send(driver);
        assertThat(third).contains("\"version\":4", "\"merged\"");
        com.fasterxml.jackson.databind.JsonNode merged = json.readTree(http.get("/api/backup").body());
        assertThat(merged.at("/data/repairs/0/id").asInt()).as("the other device's repair stays").isEqualTo(7);
        assertThat(merged.at("/data/settings/currency").asText()).isEqualTo("EUR");
        assertThat(merged.at("/data/customers").findValuesAsText("name")).contains("Élodie").doesNotContain("Client 1 Dupré");
        // and the client took the other device's changes in: the app's data is the latest, as JavaScript reads
        // it (the other device's 23-digit counter is a double there; the stored bytes keep it exact, and the
        // client never sends a record back that the app did not change)
        Object asJavaScriptSeesIt = driver.executeScript("return JSON.stringify(JSON.parse(arguments[0]));", http.get("/api/backup").body());
        assertThat(json.readTree((String) driver.executeScript("return JSON.stringify(window.appData);")))
                .isEqualTo(json.readTree((String) asJavaScriptSeesIt));
        assertThat(http.get("/api/backup").body()).contains("\"counter\":12345678901234567890123");
    }

    private static String send(ChromeDriver driver) {
        return (String) driver.executeAsyncScript("const done = arguments[arguments.length - 1];"
                + "window.garageSync.send().then(a => done(JSON.stringify(a))).catch(e => done('ERR ' + e.message));");
    }

    private void awaitIndicator(String state) {
        browser.waiting(WAIT).until(d ->
                state.equals(d.findElement(By.tagName("garage-sync-indicator")).getDomAttribute("state")));
    }

    private static Object offlineCopy(WebDriver d) {
        return ((ChromeDriver) d).executeScript("return localStorage.getItem(arguments[0]);", OFFLINE_KEY);
    }

    private static String tooltip(ChromeDriver d) {
        return (String) d.executeScript(
                "return document.querySelector('garage-sync-indicator').shadowRoot.querySelector('[role=tooltip]').textContent;");
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
