package app.garagesync.testing;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Debian's headless Chromium driven through Debian's chromedriver. The paths are given to Selenium, so
 * Selenium Manager never runs and nothing downloads a browser. Without them the tests are skipped,
 * except on CI ({@code CI=true}) where a missing browser fails the build: a green CI must mean the
 * console was tested.
 */
public final class Browser implements AutoCloseable {

    public static final Path CHROMIUM = Path.of(System.getProperty("browser.chromium", "/usr/bin/chromium"));
    public static final Path CHROMEDRIVER = Path.of(System.getProperty("browser.chromedriver", "/usr/bin/chromedriver"));

    private final ChromeDriver driver;
    private final Path profile;
    private final Path downloads;

    private Browser(ChromeDriver driver, Path profile, Path downloads) {
        this.driver = driver;
        this.profile = profile;
        this.downloads = downloads;
    }

    /** Skips the calling test (fails it on CI) when Chromium or chromedriver is not installed. */
    public static void requireInstalled() {
        boolean installed = Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
        String message = "browser tests need " + CHROMIUM + " and " + CHROMEDRIVER
                + " (apt-get install -y chromium chromium-driver)";
        if (!installed && "true".equals(System.getenv("CI"))) {
            Assertions.fail(message + ": missing on CI");
        }
        Assumptions.assumeTrue(installed, message + ": skipped");
    }

    /** A fresh browser with its own profile and download folder, at a desktop window size. */
    public static Browser open(Path workDir) {
        requireInstalled();
        try {
            Path profile = Files.createTempDirectory(workDir, "chromium-profile");
            Path downloads = Files.createDirectories(workDir.resolve("downloads"));
            ChromeOptions options = new ChromeOptions();
            options.setBinary(CHROMIUM.toFile());
            options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--disable-quic", "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--window-size=1280,1000",
                    "--user-data-dir=" + profile);
            options.setExperimentalOption("prefs", Map.of(
                    "download.default_directory", downloads.toString(),
                    "download.prompt_for_download", false));
            LoggingPreferences logs = new LoggingPreferences();
            logs.enable(LogType.BROWSER, Level.ALL);
            options.setCapability("goog:loggingPrefs", logs);
            ChromeDriverService service = new ChromeDriverService.Builder()
                    .usingDriverExecutable(new File(CHROMEDRIVER.toString()))
                    .usingAnyFreePort()
                    .build();
            return new Browser(new ChromeDriver(service, options), profile, downloads);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public ChromeDriver driver() {
        return driver;
    }

    public Path downloads() {
        return downloads;
    }

    public WebDriverWait waiting(Duration timeout) {
        return new WebDriverWait(driver, timeout);
    }

    /**
     * Opens the console of the daemon on {@code port} as {@code user}, in French (the console's default,
     * whatever language a test before chose), and waits until the page says it is ready.
     */
    public void openConsole(int port, String user, Duration wait) {
        driver.get("http://127.0.0.1:" + port + "/");
        awaitReady(wait);
        WebElement field = driver.findElement(By.id("user-id"));
        field.clear();
        field.sendKeys(user, Keys.ENTER);
        driver.executeScript("localStorage.removeItem('garage-sync:lang')");
        driver.navigate().refresh();
        awaitReady(wait);
    }

    /** Waits until the console has drawn its first state ({@code <body data-ready="true">}). */
    public void awaitReady(Duration wait) {
        waiting(wait).until(d -> "true".equals(d.findElement(By.tagName("body")).getDomAttribute("data-ready")));
    }

    /** The rendered text of the first element {@code css} matches, read in one step in the page (a list may be
     * rebuilt between two driver calls); empty when nothing matches. */
    public String text(String css) {
        Object text = driver.executeScript("const e = document.querySelector(arguments[0]); return e ? e.innerText : '';", css);
        return String.valueOf(text).trim();
    }

    /** Console messages at error level since the last call. */
    public List<LogEntry> consoleErrors() {
        return driver.manage().logs().get(LogType.BROWSER).getAll().stream()
                .filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue())
                .toList();
    }

    @Override
    public void close() {
        driver.quit();
    }
}
