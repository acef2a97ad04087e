package app.garagesync.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import app.garagesync.Json;
import app.garagesync.testing.Backups;
import app.garagesync.testing.ConsoleExtension;
import app.garagesync.testing.Http;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;

/**
 * The console tells "saved on this server" from "copied off-site", and a refusing target in words a
 * garage owner reads, the raw SDK text behind "détails" (issue 16 items 4 and 5).
 */
class ConsoleOffsiteIT {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @RegisterExtension
    final ConsoleExtension console = ConsoleExtension.startedByEachTest();

    @Test
    void should_not_say_synced_when_nothing_left_the_machine() throws IOException {
        console.startDaemon();
        Http http = console.daemon().http().as("sans-cible");
        http.putJson("/api/sync/settings", "{\"enabled\":true}");
        http.postJson("/api/backup", Backups.small(2));
        openConsoleAs("sans-cible");

        WebElement indicator = driver().findElement(By.tagName("garage-sync-indicator"));
        console.browser().waiting(WAIT).until(d -> "local".equals(indicator.getDomAttribute("state")));
        assertThat(text("#f-state")).isEqualTo("Enregistré sur ce serveur").doesNotContain("Synchronisé");
        assertThat(text("#f-last")).contains("aucune destination hors site");
        assertThat(text("#targets-empty")).contains("restent sur ce serveur uniquement");

        driver().findElement(By.id("sync-now")).click();

        awaitToast("aucune destination hors site n’est configurée");
        assertThat(driver().findElements(By.cssSelector("#toasts .toast")).stream().map(WebElement::getText))
                .noneMatch(t -> t.contains("Synchronisation lancée"));
        console.browser().waiting(WAIT).until(d -> text("#history tbody").contains("Aucune destination")
                && text("#history tbody").contains("Rien n’a quitté ce serveur"));
        assertThat(indicator.getDomAttribute("state")).isEqualTo("local");
    }

    @Test
    void should_explain_an_unreachable_target_in_french_and_keep_the_raw_text_behind_details() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        String p = "garagesync.target.cloud.";
        console.startDaemon(
                "garagesync.sync.interval", "300",
                "garagesync.sync.redelivery.max-attempts", "2",
                "garagesync.sync.redelivery.initial-delay", "10ms",
                "garagesync.sync.redelivery.max-delay", "20ms",
                p + "type", "s3", p + "bucket", "b", p + "endpoint", "http://127.0.0.1:" + closed,
                p + "region", "us-east-1", p + "access-key", "k", p + "secret-key", "s", p + "path-style", "true");
        Http http = console.daemon().http().as("injoignable");
        http.putJson("/api/sync/settings", "{\"enabled\":true}");
        http.postJson("/api/backup", Backups.small(1));
        // retries used up: the version is spooled, no longer "pending"
        await().atMost(WAIT).until(() -> spooled(http) == 1);
        openConsoleAs("injoignable");

        // the list is rebuilt at every status: always look it up afresh
        console.browser().waiting(WAIT).until(d -> text("#targets li").contains("ne répond pas"));
        assertThat(text("#targets li")).contains("« cloud »").contains("Vérifiez la connexion internet")
                .contains("1 version(s) en attente").doesNotContain("SdkClientException");
        assertThat(text("#f-error")).contains("ne répond pas").doesNotContain("SdkClientException");
        assertThat(text("#f-waiting")).isEqualTo("1 version(s)");

        driver().findElement(By.cssSelector("#targets li details summary")).click();
        console.browser().waiting(WAIT).until(d -> d.findElement(By.cssSelector("#targets li details code")).isDisplayed());
        assertThat(text("#targets li details code")).contains("SdkClientException").contains(String.valueOf(closed));
        driver().manage().window().setSize(new org.openqa.selenium.Dimension(1280, 1500));
        Files.write(Path.of("target", "console-target-failing.png"), driver().getScreenshotAs(org.openqa.selenium.OutputType.BYTES));
        driver().manage().window().setSize(new org.openqa.selenium.Dimension(1280, 1000));
        // a status refresh rebuilds the list: the open toggle stays open
        driver().findElement(By.id("user-id")).sendKeys(Keys.ENTER);
        console.browser().waiting(WAIT).until(d -> d.findElement(By.cssSelector("#targets li details")).getDomAttribute("open") != null);

        console.browser().waiting(WAIT).until(d -> text("#history tbody").contains("Destination injoignable"));
    }

    @Test
    void should_tell_the_owner_in_french_that_a_version_is_damaged_on_the_server() throws IOException {
        Path data = console.startDaemon().dataDir();
        Http http = console.daemon().http().as("abime");
        http.postJson("/api/backup", Backups.small(1));
        http.postJson("/api/backup", Backups.small(2));
        console.stopDaemon();
        // the newest version's file emptied on disk (a crash of the disk, not of the daemon)
        Files.write(data.resolve("users/abime/versions/0000000002.gsv"), new byte[0]);
        console.startDaemon();
        openConsoleAs("abime");

        console.browser().waiting(WAIT).until(d -> text("#f-error").contains("abîmées sur le serveur (2)"));
        assertThat(text("#f-error")).contains("les autres sont intactes").contains("restauration")
                .doesNotContain("Le dernier échange");
    }

    private ChromeDriver driver() {
        return console.browser().driver();
    }

    /** The rendered text, read in one step in the page (a list may be rebuilt between two driver calls). */
    private String text(String css) {
        return console.browser().text(css);
    }

    @SuppressWarnings("unchecked")
    private static int spooled(Http http) throws IOException {
        List<Map<String, Object>> targets = (List<Map<String, Object>>) Json.readMap(http.get("/api/sync/status").bytes()).get("targets");
        return ((Number) targets.get(0).get("spooledFiles")).intValue();
    }

    private void openConsoleAs(String user) {
        console.openBrowser().openConsole(console.daemon().port(), user, WAIT);
    }

    private void awaitReady() {
        console.browser().awaitReady(WAIT);
    }

    private void awaitToast(String text) {
        console.browser().waiting(WAIT).until(d -> d.findElements(By.cssSelector("#toasts .toast")).stream()
                .anyMatch(t -> t.getText().contains(text)));
    }
}
