package io.hive.preloader.adapters.http;

import io.hive.preloader.core.cache.BudgetExceededException;
import io.hive.preloader.core.cache.StaleModelException;
import io.hive.preloader.core.model.InvalidModelException;
import io.hive.preloader.core.port.SinkFullException;
import io.hive.preloader.core.port.StoreException;
import io.hive.preloader.core.port.TransferCancelledException;
import io.hive.preloader.core.service.UnknownModelException;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import org.eclipse.jetty.http.HttpException;

import java.io.IOException;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * Turns what went wrong into an HTTP status and a one-line message: the body is always {@code {"error": "…"}},
 * never a stack trace. Failures the client could not cause (a bug, a broken disk) are logged with their trace here.
 */
final class Errors {
    private static final System.Logger LOG = System.getLogger(Errors.class.getName());
    private static final java.util.regex.Pattern STACK_LINE = java.util.regex.Pattern.compile("\\s*(at \\S+\\(.*\\)|\\.\\.\\. \\d+ more|Caused by: .*)");

    /** The status and message of one failure. */
    record Answer(int status, String message) {
        Map<String, String> body() {
            return Map.of("error", message);
        }
    }

    private Errors() {
    }

    /** Every failure of a request, thrown by an endpoint or by Javalin, answered as {@code {"error": …}}. */
    static void answerFailures(JavalinConfig cfg) {
        cfg.routes.exception(HttpResponseException.class, (e, ctx) -> answer(ctx, answer(e)));
        cfg.routes.exception(Exception.class, (e, ctx) -> answer(ctx, answer(e)));
        cfg.router.javaLangErrorHandler((response, error) -> {
            LOG.log(System.Logger.Level.ERROR, "request failed", error);
            try {
                response.setStatus(500);
                response.setContentType("application/json");
                response.getOutputStream().write(JsonErrorHandler.body(500, "internal error (" + error.getClass().getSimpleName() + ")"));
            } catch (IOException | RuntimeException ignored) {
                // The client is gone or the response committed: nothing more to tell it.
            }
        });
    }

    private static void answer(Context ctx, Answer answer) {
        if (answer.status() == 401) {
            ctx.header("WWW-Authenticate", "Bearer realm=\"preloader\"");
        }
        ctx.status(answer.status()).json(answer.body());
    }

    static Answer answer(Throwable thrown) {
        Throwable failure = unwrap(thrown);
        return switch (failure) {
            case ApiException api -> new Answer(api.status(), oneLine(api.getMessage()));
            case HttpResponseException http -> new Answer(http.getStatus(), oneLine(reason(http)));
            // Jetty's own refusals of a request (a bad chunk, a body too large or too slow) carry their status.
            case HttpException jetty -> new Answer(jetty.getCode(), oneLine(jetty.getReason() == null ? "HTTP " + jetty.getCode() : jetty.getReason()));
            case UnknownModelException unknown -> new Answer(404, oneLine(unknown.getMessage()));
            case InvalidModelException invalid -> new Answer(422, oneLine(invalid.getMessage()));
            case BudgetExceededException budget -> new Answer(409, oneLine(budget.getMessage()));
            case StaleModelException stale -> new Answer(409, oneLine(stale.getMessage()));
            case SinkFullException full -> new Answer(409, oneLine(full.getMessage()));
            case TransferCancelledException cancelled -> new Answer(503, oneLine("transfer cancelled: " + cancelled.getMessage()));
            case IllegalArgumentException bad -> new Answer(400, oneLine(bad.getMessage()));
            case IllegalStateException state -> new Answer(409, oneLine(state.getMessage()));
            case StoreException store -> {
                LOG.log(System.Logger.Level.WARNING, "store or sink failed: " + store.getMessage(), store);
                yield new Answer(500, oneLine(store.getMessage()));
            }
            default -> {
                LOG.log(System.Logger.Level.ERROR, "request failed", failure);
                yield new Answer(500, "internal error (" + failure.getClass().getSimpleName() + "); the server log has the details");
            }
        };
    }

    /** The failure itself, out of the wrappers that futures put around it. */
    static Throwable unwrap(Throwable thrown) {
        Throwable t = thrown;
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    private static String reason(HttpResponseException http) {
        return switch (http.getStatus()) {
            case 404 -> "no such endpoint; see /v1/openapi.json";
            case 405 -> "method not allowed on this endpoint; see /v1/openapi.json";
            case 413 -> "request body too large";
            default -> http.getMessage() == null || http.getMessage().isBlank() ? "HTTP " + http.getStatus() : http.getMessage();
        };
    }

    /** Client input quoted for a message: one line, cut at 40 characters. */
    static String quoted(String raw) {
        return "'" + oneLine(raw.length() > 40 ? raw.substring(0, 40) + "…" : raw) + "'";
    }

    /** One line: the message's lines joined, any stack-trace lines a message may carry dropped, at most 500 characters. */
    static String oneLine(String message) {
        if (message == null || message.isBlank()) {
            return "no message";
        }
        String flat = message.strip().lines()
                .filter(line -> !STACK_LINE.matcher(line).matches())
                .map(String::strip)
                .filter(line -> !line.isEmpty())
                .collect(java.util.stream.Collectors.joining("; "));
        if (flat.isEmpty()) {
            return "no message";
        }
        return flat.length() > 500 ? flat.substring(0, 497) + "..." : flat;
    }
}
