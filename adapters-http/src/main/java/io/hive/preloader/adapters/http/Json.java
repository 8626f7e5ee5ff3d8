package io.hive.preloader.adapters.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/** The API's JSON: snake_case names, unknown request fields refused, parse errors as one line without the body. */
final class Json {
    static final ObjectMapper MAPPER = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);

    private Json() {
    }

    /** A request body as {@code type}; an empty body is {@code empty}. @throws ApiException 400 naming the problem */
    static <T> T read(byte[] body, Class<T> type, T empty) {
        if (new String(body, StandardCharsets.UTF_8).isBlank()) {
            return empty;
        }
        try {
            T value = MAPPER.readValue(body, type);
            return value == null ? empty : value;
        } catch (JsonProcessingException e) {
            throw new ApiException(400, "request body is not valid: " + Errors.oneLine(e.getOriginalMessage()));
        } catch (IOException e) {
            throw new ApiException(400, "request body cannot be read: " + Errors.oneLine(e.getMessage()));
        }
    }
}
