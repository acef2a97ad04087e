package app.garagesync.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import app.garagesync.testing.ConsoleExtension;
import app.garagesync.testing.Http;
import app.garagesync.trust.Shop;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.Select;

/**
 * The mass-deletion guard in the console, in a real Chromium: the red banner says in French (and in
 * English) which backup lost what and that it stays off-site, and its button confirms the deletions.
 */
class GuardConsoleIT {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @RegisterExtension
    static final ConsoleExtension console = ConsoleExtension.withDaemon(work -> new String[] {
            "garagesync.guard.hold-offsite", "true",
            "garagesync.target.nas.type", "dir", "garagesync.target.nas.path", work.resolve("nas").toString()});

    @Test
    void should_show_a_red_banner_with_the_counts_and_confirm_the_deletions_from_its_button() throws Exception {
        Http http = console.daemon().http().as("garage-martin");
        Shop shop = new Shop(10);
        assertThat(http.postJson("/api/backup", shop.render()).status()).isEqualTo(201);
        shop.get("customers").removeIf(c -> Integer.parseInt(((String) c.get("id")).substring(1)) >= 5);
        shop.get("mechanics").clear();
        assertThat(http.postJson("/api/backup", shop.render()).status()).isEqualTo(201);
        openConsoleAs("garage-martin");

        WebElement banner = driver().findElement(By.id("guard-banner"));
        console.browser().waiting(WAIT).until(d -> banner.isDisplayed());
        assertThat(banner.findElement(By.tagName("h2")).getText()).isEqualTo("Attention : beaucoup de données ont disparu");
        assertThat(driver().findElement(By.id("guard-text")).getText())
                .isEqualTo("La sauvegarde n° 2 contient beaucoup moins de données que la précédente (n° 1) :");
        assertThat(driver().findElement(By.id("guard-counts")).getText())
                .contains("Clients : 10 → 5 (50 % en moins)").contains("Mécaniciens : 4 → 0 (100 % en moins)");
        assertThat(driver().findElement(By.id("guard-held")).getText())
                .contains("ne sont pas envoyées hors site").contains("gardent la version 1");
        assertThat(driver().findElement(By.id("guard-advice")).getText()).contains("restaurez la version 1");
        // the daemon's own sentence is behind "détails", not in the owner's face
        assertThat(banner.findElement(By.cssSelector("details summary")).getText()).isEqualTo("détails");
        assertThat(banner.findElement(By.cssSelector("details")).getDomAttribute("open")).isNull();
        // said once, in the banner: the error line of the facts does not repeat it
        assertThat(driver().findElement(By.id("f-error-row")).isDisplayed()).isFalse();
        assertThat(driver().findElement(By.cssSelector("#versions tbody tr:first-child")).getText()).contains("données disparues");
        // the sync that kept it off the folder target says why, in the history
        http.postJson("/api/sync", "");
        await().atMost(WAIT).untilAsserted(() -> assertThat(http.get("/api/sync/history").body()).contains("\"result\":\"held\""));
        driver().navigate().refresh();
        console.browser().awaitReady(WAIT);
        console.browser().waiting(WAIT).until(d -> d.findElement(By.id("history")).getText().contains("Retenue"));
        assertThat(driver().findElement(By.id("history")).getText())
                .contains("Gardée sur ce serveur : cette sauvegarde a perdu beaucoup de données");
        driver().manage().window().setSize(new Dimension(1280, 1500));
        Files.write(Path.of("target").resolve("console-guard.png"), driver().getScreenshotAs(OutputType.BYTES));
        driver().manage().window().setSize(new Dimension(1280, 1000));

        new Select(driver().findElement(By.id("lang"))).selectByVisibleText("English");
        assertThat(driver().findElement(By.id("guard-text")).getText())
                .isEqualTo("Backup no. 2 holds far less data than the one before it (no. 1):");
        assertThat(driver().findElement(By.id("guard-counts")).getText()).contains("Customers: 10 → 5 (50% fewer)");
        WebElement confirm = driver().findElement(By.id("guard-confirm"));
        assertThat(confirm.getText()).isEqualTo("Yes, these deletions are intended");

        confirm.click();
        console.browser().waiting(WAIT).until(d -> d.findElements(By.cssSelector("#toasts .toast")).stream()
                .anyMatch(t -> t.getText().contains("Deletions confirmed (version 2)")));
        console.browser().waiting(WAIT).until(d -> !d.findElement(By.id("guard-banner")).isDisplayed());
        await().atMost(WAIT).untilAsserted(() -> assertThat(http.get("/api/sync/status").body()).contains("\"anomaly\":null"));
        assertThat(console.browser().consoleErrors()).isEmpty();
    }

    private static ChromeDriver driver() {
        return console.browser().driver();
    }

    private static Object js(String script, Object... args) {
        return ((JavascriptExecutor) driver()).executeScript(script, args);
    }

    /** Opens the console as this user, the way a person would: typing the id and pressing Enter. */
    private static void openConsoleAs(String user) {
        console.browser().openConsole(console.daemon().port(), user, WAIT);
    }
}
