package io.hive.preloader.adapters.http;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntSupplier;
import java.util.regex.Pattern;

import static io.hive.preloader.adapters.http.Route.get;

/**
 * The service describing itself: that it is up, the configuration in force, and its OpenAPI document.
 *
 * @param config the configuration in force; values under keys that name a token, secret, password or credential are
 *               hidden, and so are secrets inside command lines ({@link CommandLines})
 * @param port   the port the server really got
 */
record ConfigResource(Map<?, ?> config, HttpSettings settings, IntSupplier port, byte[] openApi) implements Resource {
    private static final Pattern SECRET_KEY = Pattern.compile("(?i).*(token|secret|password|credential).*");
    private static final String HIDDEN = CommandLines.HIDDEN;

    /** The server's own settings as {@code GET /v1/config} shows them under {@code http}: the port it really got, no token. */
    record HttpView(String host, int port, String token, String readToken, long maxBodyBytes, double shutdownTimeoutSeconds,
                    boolean metricsPublic, List<String> allowedHosts, Map<String, String> tls) {
    }

    ConfigResource {
        config = (Map<?, ?>) redact(config);
    }

    @Override
    public List<Route> routes() {
        return List.of(
                get("/v1/health", ctx -> ctx.json(Map.of("status", "ok"))),
                get("/v1/config", ctx -> ctx.json(view())),
                get("/v1/openapi.json", ctx -> ctx.contentType("application/json").result(openApi)));
    }

    private Map<Object, Object> view() {
        Map<Object, Object> view = new LinkedHashMap<>(config);
        HttpSettings.Exposure exposure = settings.exposure();
        view.put("http", new HttpView(settings.host(), port.getAsInt(), settings.token().isPresent() ? HIDDEN : null,
                exposure.readToken().isPresent() ? HIDDEN : null, settings.maxBodyBytes(), settings.shutdownTimeout().toMillis() / 1000.0,
                exposure.metricsPublic(), exposure.allowedHosts(), exposure.tls().map(ConfigResource::tls).orElse(null)));
        return view;
    }

    private static Map<String, String> tls(Tls tls) {
        return switch (tls) {
            case Tls.Pem p -> Map.of("cert", p.certificate().toString(), "key", p.key().toString());
            case Tls.Keystore k -> Map.of("keystore", k.file().toString(), "password", HIDDEN);
        };
    }

    /**
     * A config value as shown: maps and lists at any depth, secrets hidden (by their key, and inside text and lists of
     * arguments by the name in front of them), anything else a number, a boolean or a string.
     */
    private static Object redact(Object value) {
        return switch (value) {
            case Map<?, ?> map -> {
                Map<String, Object> out = new LinkedHashMap<>();
                map.forEach((k, v) -> out.put(String.valueOf(k), v != null && SECRET_KEY.matcher(String.valueOf(k)).matches() ? HIDDEN : redact(v)));
                yield out;
            }
            case List<?> list when !list.isEmpty() && list.stream().allMatch(String.class::isInstance) ->
                    CommandLines.redact(list.stream().map(String.class::cast).toList());
            case List<?> list -> list.stream().map(ConfigResource::redact).toList();
            case null -> null;
            case Number n -> n;
            case Boolean b -> b;
            default -> CommandLines.redact(String.valueOf(value));
        };
    }
}
