package io.hive.preloader.adapters.http;

import io.hive.preloader.core.model.ModelId;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.javalin.http.HandlerType;

import java.util.regex.Pattern;

/**
 * One endpoint: what the route table, the OpenAPI document and the guard agree on; and the path parameters its
 * handler reads, each validated before anything is done with it.
 */
record Route(HandlerType method, String path, Handler handler) {
    private static final Pattern NUMBER = Pattern.compile("[1-9][0-9]{0,17}");

    static Route get(String path, Handler handler) {
        return new Route(HandlerType.GET, path, handler);
    }

    static Route post(String path, Handler handler) {
        return new Route(HandlerType.POST, path, handler);
    }

    static Route delete(String path, Handler handler) {
        return new Route(HandlerType.DELETE, path, handler);
    }

    /** The {@code {id}} path parameter as a model id; @throws IllegalArgumentException (400) for anything that is not one */
    static ModelId modelId(Context ctx) {
        return ModelId.of(ctx.pathParam("id"));
    }

    /** A positive number in the path (a job or spawn id, a pid); @throws ApiException 400 saying it is not {@code what} */
    static long number(Context ctx, String param, String what) {
        String raw = ctx.pathParam(param);
        if (!NUMBER.matcher(raw).matches()) {
            throw new ApiException(400, Errors.quoted(raw) + " is not " + what + " (a number)");
        }
        return Long.parseLong(raw);
    }
}
