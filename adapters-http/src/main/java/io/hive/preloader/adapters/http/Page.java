package io.hive.preloader.adapters.http;

import io.javalin.http.Context;

import java.util.List;

import static io.hive.preloader.adapters.http.Route.get;

/**
 * The live page at {@code /}: plain HTML, a script and a style sheet from the jar, no build step. The script polls
 * the JSON API and redraws; the headers keep it to its own origin (no inline script, no framing).
 */
final class Page implements Resource {
    private static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; "
            + "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private final byte[] html;
    private final byte[] script;
    private final byte[] style;

    Page(byte[] html, byte[] script, byte[] style) {
        this.html = html;
        this.script = script;
        this.style = style;
    }

    @Override
    public List<Route> routes() {
        return List.of(
                get("/", ctx -> serve(ctx, "text/html; charset=utf-8", html)),
                get("/page.js", ctx -> serve(ctx, "text/javascript; charset=utf-8", script)),
                get("/page.css", ctx -> serve(ctx, "text/css; charset=utf-8", style)));
    }

    private static void serve(Context ctx, String type, byte[] body) {
        ctx.header("Content-Security-Policy", CSP)
                .header("X-Content-Type-Options", "nosniff")
                .header("Referrer-Policy", "no-referrer")
                .header("Cache-Control", "no-cache")
                .contentType(type)
                .result(body);
    }
}
