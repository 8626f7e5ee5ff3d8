package io.hive.preloader.adapters.http;

import io.javalin.config.JavalinConfig;
import io.javalin.http.staticfiles.Location;

import java.util.Map;

/**
 * The live page at {@code /}: plain HTML, a script and a style sheet from the jar, no build step, served as Javalin's
 * static files. The script polls the JSON API and redraws; the headers keep it to its own origin (no inline script,
 * no framing).
 */
final class Page {
    private static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; "
            + "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private Page() {
    }

    static void serve(JavalinConfig cfg) {
        cfg.staticFiles.add(page -> {
            page.directory = "/io/hive/preloader/adapters/http/page";
            page.location = Location.CLASSPATH;
            page.headers = Map.of("Content-Security-Policy", CSP, "X-Content-Type-Options", "nosniff", "Referrer-Policy", "no-referrer",
                    "Cache-Control", "no-cache");
            page.mimeTypes.add("text/html; charset=utf-8", "html");
            page.mimeTypes.add("text/javascript; charset=utf-8", "js");
            page.mimeTypes.add("text/css; charset=utf-8", "css");
        });
    }
}
