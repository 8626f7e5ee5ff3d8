package io.hive.preloader.adapters.http;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.hive.preloader.adapters.http.Fixture.ALPHA;
import static io.hive.preloader.adapters.http.Fixture.GAMMA;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The live page, loaded by headless Chromium against the running server with resident models. */
class PageTest {
    @TempDir
    Path dir;

    private Fixture f;

    @BeforeEach
    void start() {
        f = new Fixture(dir);
    }

    @AfterEach
    void stop() {
        f.close();
    }

    @Test
    void shouldServeThePageWithItsOwnScriptOnly() {
        Client.Response html = f.client.get("/");
        Client.Response script = f.client.get("/page.js");
        Client.Response style = f.client.get("/page.css");
        Client.Response charts = f.client.get("/history.js");

        assertThat(html.status()).isEqualTo(200);
        assertThat(html.header("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/html"));
        assertThat(html.header("Content-Security-Policy")).hasValueSatisfying(csp -> assertThat(csp).contains("script-src 'self'"));
        assertThat(html.body()).contains("<script src=\"/page.js\"></script>").doesNotContain("<script>");
        assertThat(script.header("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/javascript"));
        assertThat(script.body()).contains("/v1/stats", "/v1/models", "/v1/activity", "/v1/history").doesNotContain("innerHTML");
        assertThat(html.body()).contains("<script src=\"/history.js\"></script>", "href=\"/history.css\"");
        assertThat(charts.header("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/javascript"));
        // The charts draw themselves: no fetch of their own (page.js asks the API, adding what it needs in one place), no HTML.
        assertThat(charts.body()).contains("createElementNS").doesNotContain("innerHTML", "fetch(");
        assertThat(charts.body().replace("'http://www.w3.org/2000/svg'", "")).as("an address other than SVG's namespace").doesNotContain("http");
        assertThat(style.header("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/css"));
    }

    @Test
    void shouldShowTheResidentModelsInHeadlessChromium() throws IOException {
        Optional<String> missing = Chromium.ensureInstalled();
        assumeTrue(missing.isEmpty(), () -> "page test skipped: " + missing.orElseThrow());
        f.preload(ALPHA);
        f.preload(GAMMA);
        Client.Response pin = f.client.post("/v1/models/beta/pin");
        f.awaitJob(pin.json().get("status").asText(), "done");
        assertThat(f.client.post("/v1/models/alpha/transfer", "{}").status()).isEqualTo(201);
        assertThat(f.client.post("/v1/models/alpha/transfer", "{\"keep\": false}").status()).isEqualTo(200);
        // The charts need the samples after those, and one quiet interval: the sampler takes one every 2 s on its own thread.
        long loaded = f.client.get("/v1/stats").json().get("bytes_loaded_from_disk").asLong();
        long transferred = f.client.get("/v1/stats").json().get("bytes_transferred").asLong();
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() -> f.client.get("/v1/history").json(),
                h -> sum(h, "loaded_bytes") == loaded && sum(h, "transferred_bytes") == transferred && h.get("points").size() >= 3);
        Path out = Files.createDirectories(Path.of(System.getProperty("page.output", "target/page")));
        Path profiles = Files.createDirectories(dir.resolve("chromium"));

        // The token as serve prints it on a terminal: in the fragment, which the browser never sends.
        java.net.URI page = java.net.URI.create(f.server.uri() + "/#token=" + Fixture.READ_TOKEN);
        String dom = Chromium.dumpDom(page, Files.createTempDirectory(profiles, "profile"));
        Files.writeString(out.resolve("page-dom.html"), dom);
        Chromium.screenshot(page, out.resolve("page.png"), Files.createTempDirectory(profiles, "profile"));

        String resident = section(dom, "<table id=\"resident\">", "</table>");
        assertThat(rowOf(resident, "alpha")).contains(">resident<", ">3.0 MiB<");
        assertThat(rowOf(resident, "beta")).contains(">resident<", ">2.0 MiB<", ">pinned<");
        assertThat(rowOf(resident, "gamma")).contains(">resident<", ">1.0 MiB<").doesNotContain(">pinned<");
        assertThat(resident).doesNotContain("data-model=\"huge\"");
        assertThat(dom).containsPattern("id=\"on-disk\"[^>]*>huge \\(17\\.0 MiB\\)<");
        assertThat(dom).containsPattern("id=\"budget-text\"[^>]*>6\\.0 MiB resident, 6\\.0 MiB reserved of 16\\.0 MiB \\(38 %\\)<");
        assertThat(dom).containsPattern("id=\"hit-rate\"[^>]*>100\\.0 %<");
        String activity = section(dom, "<table id=\"activity\">", "</table>");
        assertThat(activity).contains(">transfer<", ">load<", "ram → device 0", "disk → RAM");
        assertThat(activity).containsPattern("class=\"num rate\">[0-9]+\\.[0-9]{2}<");
        assertThat(dom).contains("class=\"segment pinned\"").doesNotContain("Cannot reach the preloader");
        assertThat(dom).containsPattern("<form id=\"token-form\"[^>]*hidden").doesNotContain(Fixture.READ_TOKEN);
        assertThat(Files.size(out.resolve("page.png"))).isGreaterThan(10_000);

        String history = section(dom, "<section id=\"history\"", "</section>");
        assertThat(history).doesNotContain("hidden").containsPattern(">Last [0-9]+ s · a sample every 2 s<");
        String hitRate = section(history, "id=\"chart-hit-rate\"", "</figure>");
        assertThat(hitRate).contains("class=\"now\">100 %<", ">100 %</text>").containsPattern("<(polyline|circle) [^>]*class=\"series");
        String residentChart = section(history, "id=\"chart-resident\"", "</figure>");
        assertThat(residentChart).contains("class=\"now\">6.0 MiB of 16.0 MiB<", ">16.0 MiB budget</text>", "class=\"limit\"",
                "class=\"series line\"", "class=\"series fill\"");
        for (String chart : new String[]{"load", "transfer"}) {
            String drawn = section(history, "id=\"chart-" + chart + "\"", "</figure>");
            assertThat(drawn).as(chart).containsPattern("class=\"now\">last [0-9]+\\.[0-9]{2} GB/s<")
                    .containsPattern("<rect [^>]*class=\"series column\"").containsPattern("data-drawn=\"[1-9]").doesNotContain("no " + chart + " yet");
        }
    }

    private static long sum(com.fasterxml.jackson.databind.JsonNode history, String field) {
        long total = 0;
        for (com.fasterxml.jackson.databind.JsonNode point : history.get("points")) {
            total += point.get(field).asLong();
        }
        return total;
    }

    @Test
    void shouldAskForTheTokenWhenItHasNone() throws IOException {
        Optional<String> missing = Chromium.ensureInstalled();
        assumeTrue(missing.isEmpty(), () -> "page test skipped: " + missing.orElseThrow());
        f.preload(ALPHA);
        Path profiles = Files.createDirectories(dir.resolve("chromium"));

        for (String url : List.of("/", "/#token=not-the-token-0123456789")) {
            String dom = Chromium.dumpDom(java.net.URI.create(f.server.uri() + url), Files.createTempDirectory(profiles, "profile"));

            assertThat(dom).as(url).containsPattern("<form id=\"token-form\" class=\"card token\">")
                    .containsPattern("id=\"updated\"[^>]*>waiting for a token<")
                    .doesNotContain("data-model=\"alpha\"").doesNotContain("Cannot reach the preloader");
        }
    }

    private static String section(String dom, String start, String end) {
        int from = dom.indexOf(start);
        assertThat(from).as("%s in the DOM", start).isNotNegative();
        return dom.substring(from, dom.indexOf(end, from));
    }

    private static String rowOf(String table, String model) {
        Matcher m = Pattern.compile("<tr data-model=\"" + Pattern.quote(model) + "\">(.*?)</tr>", Pattern.DOTALL).matcher(table);
        assertThat(m.find()).as("a row for %s in %s", model, table).isTrue();
        return m.group(1);
    }
}
