package io.hive.preloader.adapters.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Jetty's own errors, those raised before a request reaches the API (a malformed request line, headers too large,
 * a request arriving during shutdown), as {@code {"error": "…"}} too: never Jetty's HTML page, never a stack trace.
 */
final class JsonErrorHandler extends ErrorHandler {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String MALFORMED = "the request line, its URI or a header is malformed";

    JsonErrorHandler() {
        setShowStacks(false);
        setShowCauses(false);
        setShowOrigin(false);
    }

    @Override
    protected void generateResponse(Request request, Response response, int code, String message, Throwable cause, Callback callback) {
        byte[] body = body(code, message);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
        // Jetty drops a connection whose request it refused: say so, or a client sends its next request into it.
        response.getHeaders().put(HttpHeader.CONNECTION, "close");
        response.write(true, ByteBuffer.wrap(body), callback);
    }

    @Override
    public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
        fields.put(HttpHeader.CONTENT_TYPE, "application/json");
        fields.put(HttpHeader.CONNECTION, "close");
        return ByteBuffer.wrap(body(status, reason));
    }

    static byte[] body(int code, String message) {
        String reason = HttpStatus.getMessage(code);
        boolean bare = message == null || message.isBlank() || message.equals(reason);
        String text = bare ? (code == 400 ? reason + ": " + MALFORMED : reason) : reason + ": " + message;
        try {
            return JSON.writeValueAsBytes(Map.of("error", Errors.oneLine(text)));
        } catch (JsonProcessingException e) {
            return ("{\"error\":\"HTTP " + code + "\"}").getBytes(StandardCharsets.UTF_8);
        }
    }
}
