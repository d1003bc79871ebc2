package org.dbmstream.query;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import org.dbmstream.broker.KafkaBroker;
import org.dbmstream.broker.testing.KafkaBrokerExtension;
import org.dbmstream.serdes.Topics;
import org.dbmstream.source.MigrationInput;
import org.dbmstream.source.MigrationOutcome;
import org.dbmstream.source.MigrationRequest;
import org.dbmstream.testkit.QemuTestData;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * What an operator sees of a destination. The web page in a real browser (Debian's headless chromium through /usr/bin/chromedriver) against a real
 * destination that requires a token, after QEMU's img1 was migrated and a second migration of it failed: the page asks
 * for the token, lists the target with QEMU's bitmap count and the failure with its reason, the target's bitmaps by
 * name, and a bitmap's picture has its dirty blocks exactly where QEMU's NBD ranges are dirty (canvas pixels read
 * back). Screenshots go to {@code target/screenshots/}; the browser tests are skipped without chromium, except under
 * {@code CI=true}. And every metric the chart's Grafana dashboard and Prometheus alerts query is in the live
 * {@code /metrics} of that destination.
 */
@ExtendWith(KafkaBrokerExtension.class)
class OperatorViewIT {
    private static final String PREFIX = "it.web.";
    private static final Topics TOPICS = new Topics(PREFIX);
    private static final String TARGET = "vm 17 für";
    private static final String TOKEN = AccessFile.newToken();
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path SCREENSHOTS = Path.of("target", "screenshots");
    /** The page's clean colour (picture.js CLEAN). */
    private static final List<Long> CLEAN = List.of(229L, 231L, 235L);

    @TempDir
    static Path tmp;
    private static QueryingDestination destination;
    private static ChromeDriver browser;
    private static KafkaBroker kafka;

    @BeforeAll
    static void start(KafkaBroker broker) throws Exception {
        kafka = broker;
        ApiSecurity security = ApiSecurity.DEFAULTS.withAccess(Files.writeString(tmp.resolve("access"),
                AccessFile.line(TOKEN, AccessFile.Role.READ, "operator") + "\n"), null, false);
        destination = QueryingDestination.start(QueryApiIT.config(broker, tmp.resolve("state"), PREFIX, "it-web"),
                "127.0.0.1", 0, "127.0.0.1", security);
        QueryApiIT.await(() -> destination.app().ready());
        QueryApiIT.publish(broker, TOPICS, request("web-img1", TARGET, false));
        // the same bitmaps again without replace: QEMU's "already exists", a failed migration with its reason
        MigrationOutcome again = QueryApiIT.outcome(broker, TOPICS, request("web-img1-again", TARGET, false));
        assertThat(again.status()).isEqualTo(MigrationOutcome.Status.FAILED);
        // the targets' summaries are read in the background about a second after the events
        await("the target's summary", () -> {
            try {
                com.fasterxml.jackson.databind.JsonNode t = target(TARGET);
                return t != null && t.get("complete").asLong() == 4;
            } catch (Exception e) {
                return false;
            }
        });
    }

    /** The target as {@code GET /v1/targets} lists it (null: not listed). */
    private static com.fasterxml.jackson.databind.JsonNode target(String name) throws Exception {
        for (com.fasterxml.jackson.databind.JsonNode t : QueryRoutes.JSON.readTree(api("/v1/targets"))) {
            if (t.get("target").asText().equals(name)) {
                return t;
            }
        }
        return null;
    }

    /** QEMU's enabled bitmaps of img1 ("recording" in qemu-img's words): their replicas lag their sources. */
    private static long qemuEnabled() {
        return QemuTestData.expected("img1.qcow2").stream().filter(q -> q.get("recording").asBoolean()).count();
    }

    private static MigrationRequest request(String migration, String target, boolean replace) {
        return MigrationRequest.builder().migrationId(migration).target(target).replace(replace)
                .input(new MigrationInput.Qcow2Image(QemuTestData.image("img1", tmp), "img1")).build();
    }

    /** The browser, started on first use; the test is skipped without one (a failure under CI=true). */
    private static ChromeDriver browser() throws Exception {
        if (browser != null) {
            return browser;
        }
        boolean installed = Files.isExecutable(CHROMEDRIVER) && Files.isExecutable(CHROMIUM);
        if (!installed && "true".equalsIgnoreCase(System.getenv("CI"))) {
            throw new IllegalStateException("chromium and chromedriver are not installed, but CI=true requires the "
                    + "browser tests (apt-get install chromium chromium-driver; .ci/run installs them)");
        }
        Assumptions.assumeTrue(installed, "chromium and /usr/bin/chromedriver are not installed");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--user-data-dir=" + Files.createTempDirectory(tmp, "chromium"),
                "--window-size=1280,900");
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(CHROMEDRIVER.toString())).usingAnyFreePort().build();
        browser = new ChromeDriver(service, options);
        return browser;
    }

    @AfterAll
    static void stop() {
        if (browser != null) {
            browser.quit();
        }
        if (destination != null) {
            destination.close();
        }
    }

    @Test
    void thePageAsksForTheTokenThenShowsTargetsBitmapsFailuresAndQemusDirtyRanges() throws Exception {
        browser();
        browser.manage().window().setSize(new Dimension(1280, 900));
        browser.get(destination.baseUrl() + "/");
        js("sessionStorage.clear()"); // the other test may have stored the token in this tab
        browser.navigate().refresh();
        // no token yet: the API answers 401 and the page asks for one
        await("the token form", () -> browser.findElement(By.id("login")).isDisplayed());
        browser.findElement(By.id("token")).sendKeys(TOKEN);
        browser.findElement(By.cssSelector("#login button")).click();
        loaded("#/");
        assertThat(browser.findElement(By.id("login")).isDisplayed()).as("the token form, once the token works").isFalse();
        // a still page for the checks below (the other test checks the refresh, which may still be at 5 s in this
        // tab): a redraw between finding an element and reading it would make it stale
        js("const s = document.getElementById('refresh'); s.value = '0'; s.dispatchEvent(new Event('change'))");

        // (the other test may have added a second target)
        WebElement target = browser.findElements(By.cssSelector("#targets tbody tr")).stream()
                .filter(r -> cells(r).get(0).equals(TARGET)).findFirst().orElseThrow();
        assertThat(cells(target).get(1)).as("bitmaps").isEqualTo("4");
        // 3 of img1's 4 bitmaps are enabled in QEMU: their replicas lag, the target with them
        assertThat(cells(target).get(2)).as("state").isEqualTo("lagging " + qemuEnabled());
        assertThat(cells(target).get(3)).as("freshness").startsWith("oldest read ").endsWith(" ago");
        assertThat(cells(target).get(4)).as("its migrations").isEqualTo("1 failed");
        List<WebElement> failures = browser.findElements(By.cssSelector("#failures tbody tr"));
        assertThat(failures).hasSize(1);
        assertThat(failures.get(0).getText()).contains("web-img1-again").contains("failed").contains("already exists");
        assertThat(browser.findElement(By.id("in-flight")).getText()).contains("none");
        screenshot(browser, "targets.png");

        click("#view", TARGET);
        loaded("#/t/");
        List<String> names = browser.findElements(By.cssSelector("#bitmaps tbody tr td[data-label=bitmap]")).stream()
                .map(WebElement::getText).toList();
        List<String> qemu = QemuTestData.expected("img1.qcow2").stream().map(q -> q.get("name").asText()).sorted()
                .toList();
        assertThat(names).containsExactlyElementsOf(qemu);
        screenshot(browser, "bitmaps.png");

        Map<String, QemuTestData.NbdDirty> nbd = new java.util.HashMap<>();
        QemuTestData.nbdDirty(QemuTestData.dir().resolve("expected/img1.nbd.txt")).forEach(b -> nbd.put(b.name(), b));
        for (String name : qemu) {
            if (!browser.findElements(By.cssSelector("#crumbs a")).stream().filter(a -> a.getText().equals(TARGET))
                    .toList().isEmpty()) {
                click("#crumbs", TARGET); // back up
                loaded("#/t/");
            }
            click("#view", name);
            loaded("#/b/");
            assertThat(browser.findElement(By.cssSelector("dd[data-field=bitmap]")).getText()).isEqualTo(name);
            assertPictureIsQemus(nbd.get(name), 1L << 30);
            long count = QemuTestData.expected("img1.qcow2").stream().filter(q -> q.get("name").asText().equals(name))
                    .findFirst().orElseThrow().get("count").asLong();
            assertThat(browser.findElement(By.cssSelector("dd[data-field=dirty]")).getText())
                    .contains("(" + count + " bytes)");
            if (name.equals("b4k")) {
                screenshot(browser, "bitmap.png");
                screenshot(browser.findElement(By.id("dirty-map")), "dirty-map.png");
            }
        }
        // every file the page loaded came from the destination itself
        @SuppressWarnings("unchecked")
        List<String> resources = (List<String>) js("return performance.getEntriesByType('resource').map(e => e.name)");
        assertThat(resources).isNotEmpty().allMatch(u -> u.startsWith(destination.baseUrl()));
    }

    @Test
    void atPhoneWidthNothingOverflowsAndThePageRefreshesItself() throws Exception {
        browser();
        browser.get(destination.baseUrl() + "/");
        js("sessionStorage.setItem('dbm-token', arguments[0])", TOKEN);
        browser.manage().window().setSize(new Dimension(390, 844));
        browser.get(destination.baseUrl() + "/#/b/" + QueryApiIT.enc(TARGET) + "/img1/b64k");
        loaded("#/b/");
        assertThat((Boolean) js("return document.documentElement.scrollWidth <= window.innerWidth")).isTrue();
        screenshot(browser, "phone-bitmap.png");
        browser.get(destination.baseUrl() + "/#/");
        loaded("#/");
        assertThat((Boolean) js("return document.documentElement.scrollWidth <= window.innerWidth")).isTrue();
        screenshot(browser, "phone-targets.png");

        // a second target appears without a reload: the page redraws itself every 5 s
        js("const s = document.getElementById('refresh'); s.value = '5'; s.dispatchEvent(new Event('change'))");
        QueryApiIT.publish(kafka, TOPICS, request("web-second", "vm-2", false));
        await("the new target on the page", () -> browser.findElements(By.linkText("vm-2")).size() == 1);
        browser.manage().window().setSize(new Dimension(1280, 900));
    }

    @Test
    void theApiGivesThePageBucketsAndMigrations() throws Exception {
        String bitmap = "/v1/targets/" + QueryApiIT.enc(TARGET) + "/bitmaps/img1/b64k";
        String body = new String(api(bitmap + "/extents?buckets=8"), java.nio.charset.StandardCharsets.UTF_8);
        com.fasterxml.jackson.databind.JsonNode buckets = QueryRoutes.JSON.readTree(body);
        QemuTestData.NbdDirty qemu = QemuTestData.nbdDirty(QemuTestData.dir().resolve("expected/img1.nbd.txt")).stream()
                .filter(b -> b.name().equals("b64k")).findFirst().orElseThrow();
        long eighth = (1L << 30) / 8;
        assertThat(buckets.get("bucketLength").asLong()).isEqualTo(eighth);
        assertThat(buckets.get("dirty")).hasSize(8);
        for (int i = 0; i < 8; i++) {
            assertThat(buckets.get("dirty").get(i).asLong()).as("bucket %d", i)
                    .isEqualTo(DirtyBucketsTest.overlap(qemu.ranges(), i * eighth, (i + 1) * eighth));
        }
        com.fasterxml.jackson.databind.JsonNode target = target(TARGET);
        assertThat(target.get("bitmaps").asLong()).isEqualTo(4);
        assertThat(target.get("complete").asLong()).isEqualTo(4);
        assertThat(target.get("loading").asLong()).isZero();
        assertThat(target.get("lagging").asLong()).isEqualTo(qemuEnabled());
        assertThat(target.get("state").asText()).isEqualTo("lagging");
        assertThat(target.get("lagAge").asDouble()).isBetween(0.0, 600.0);
        java.time.Instant completed = java.time.Instant.parse(target.get("lastCompleted").asText());
        assertThat(completed).isBefore(java.time.Instant.now().plusSeconds(1))
                .isAfter(java.time.Instant.now().minusSeconds(600));
        assertThat(java.time.Instant.parse(target.get("summaryAt").asText())).isAfterOrEqualTo(completed);
        String migrations = new String(api("/v1/migrations"), java.nio.charset.StandardCharsets.UTF_8);
        Map<String, com.fasterxml.jackson.databind.JsonNode> byId = new java.util.HashMap<>();
        QueryRoutes.JSON.readTree(migrations).forEach(m -> byId.put(m.get("migration").asText(), m));
        assertThat(byId.get("web-img1").get("status").asText()).isEqualTo("completed");
        assertThat(byId.get("web-img1").get("bitmapsDone").asInt()).isEqualTo(4);
        assertThat(byId.get("web-img1-again").get("status").asText()).isEqualTo("failed");
        assertThat(byId.get("web-img1-again").get("reason").asText()).contains("already exists");
        Files.createDirectories(Path.of("target"));
        Files.writeString(Path.of("target", "api-examples.txt"), body + "\n" + migrations + "\n");
    }

    private static byte[] api(String path) throws Exception {
        java.net.http.HttpResponse<byte[]> r = QueryApiIT.HTTP.send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create(destination.baseUrl() + path)).header("Authorization", "Bearer " + TOKEN).build(),
                java.net.http.HttpResponse.BodyHandlers.ofByteArray());
        assertThat(r.statusCode()).as(path).isEqualTo(200);
        return r.body();
    }

    @Test
    void everyMetricTheChartsDashboardAndAlertsQueryIsInTheLiveMetrics() throws Exception {
        Set<String> queried = new TreeSet<>(PromQl.metricNames(ChartMonitoring.dashboardQueries()));
        queried.addAll(PromQl.metricNames(ChartMonitoring.alertQueries()));
        assertThat(queried).as("metrics the chart queries").hasSizeGreaterThan(5);
        // the binder adds a sensor's metrics a few seconds after its first use: wait for them, then name what is missing
        Set<String> missing = new TreeSet<>(queried);
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!missing.isEmpty() && System.nanoTime() < deadline) {
            String text = new String(QueryApiIT.HTTP.send(java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create(destination.baseUrl() + "/metrics")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofByteArray()).body(), java.nio.charset.StandardCharsets.UTF_8);
            Files.createDirectories(Path.of("target"));
            Files.writeString(Path.of("target", "metrics.txt"), text);
            missing.removeAll(PromQl.exposedNames(text));
            if (!missing.isEmpty()) {
                Thread.sleep(200);
            }
        }
        assertThat(missing).as("queried by the chart but not in /metrics (see target/metrics.txt)").isEmpty();
    }

    /**
     * Reads the picture back from the canvas: the block of every bucket is coloured exactly when QEMU's ranges have a
     * dirty byte in the bucket's bytes.
     */
    private static void assertPictureIsQemus(QemuTestData.NbdDirty qemu, long disk) {
        @SuppressWarnings("unchecked")
        Map<String, Object> read = (Map<String, Object>) js("""
                const c = document.getElementById('dirty-map'), d = c.dataset;
                const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
                const out = [];
                for (let i = 0; i < Number(d.buckets); i++) {
                  const x = (i % d.cols) * d.cellW + 1, y = Math.floor(i / d.cols) * d.cellH + 1;
                  const p = (y * c.width + x) * 4;
                  out.push([px[p], px[p + 1], px[p + 2]]);
                }
                return {bucketLength: Number(d.bucketLength), blocks: out};
                """);
        long g = qemu.granularity();
        long bits = (disk + g - 1) / g;
        // the API's rounding, computed here from the disk alone: ceil(bits / N) whole bits per bucket
        long expectedLength = (bits + 16384 - 1) / 16384 * g;
        assertThat(((Number) read.get("bucketLength")).longValue()).as(qemu.name()).isEqualTo(expectedLength);
        @SuppressWarnings("unchecked")
        List<List<Long>> blocks = (List<List<Long>>) read.get("blocks");
        assertThat((long) blocks.size()).isEqualTo((disk + expectedLength - 1) / expectedLength);
        int dirtyBlocks = 0;
        for (int i = 0; i < blocks.size(); i++) {
            long from = i * expectedLength;
            long to = Math.min(disk, from + expectedLength);
            boolean dirty = DirtyBucketsTest.overlap(qemu.ranges(), from, to) > 0;
            assertThat(!blocks.get(i).equals(CLEAN)).as("%s block %d [%d,%d)", qemu.name(), i, from, to)
                    .isEqualTo(dirty);
            dirtyBlocks += dirty ? 1 : 0;
        }
        assertThat(dirtyBlocks > 0).as(qemu.name() + " has dirty blocks").isEqualTo(!qemu.ranges().isEmpty());
    }

    private static List<String> cells(WebElement row) {
        return row.findElements(By.tagName("td")).stream().map(WebElement::getText).toList();
    }

    /**
     * Waits until the page finished drawing the view its address names, a view starting with {@code prefix} (app.js
     * sets data-loaded once a view is drawn).
     */
    private static void loaded(String prefix) throws InterruptedException {
        await("view " + prefix, () -> (Boolean) js("const h = location.hash || '#/';"
                + "return document.getElementById('view').dataset.loaded === h && h.startsWith(arguments[0])", prefix));
    }

    /**
     * Clicks the link {@code text} inside {@code scope}; the page redraws itself every few seconds, so a link found
     * just before a redraw is found again.
     */
    private static void click(String scope, String text) throws InterruptedException {
        await("the link " + text, () -> {
            browser.findElement(By.cssSelector(scope)).findElement(By.linkText(text)).click();
            return true;
        });
    }

    private static Object js(String script, Object... args) {
        return ((JavascriptExecutor) browser).executeScript(script, args);
    }

    private static void screenshot(TakesScreenshot what, String name) throws Exception {
        Files.createDirectories(SCREENSHOTS);
        Files.write(SCREENSHOTS.resolve(name), what.getScreenshotAs(OutputType.BYTES));
    }

    private static void await(String what, Supplier<Boolean> condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            try {
                if (condition.get()) {
                    return;
                }
            } catch (org.openqa.selenium.StaleElementReferenceException | org.openqa.selenium.NoSuchElementException e) {
                // the page redrew that element meanwhile: look again
            }
            assertThat(System.nanoTime()).as(what + " within 60 s").isLessThan(deadline);
            Thread.sleep(100);
        }
    }
}
