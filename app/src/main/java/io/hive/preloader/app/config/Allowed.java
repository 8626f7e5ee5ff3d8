package io.hive.preloader.app.config;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * What a key of the config file allows, in the words of an error message: {@code auto_preload: '-1' is not} <em>a count
 * of models (0 or more)</em>. On a type use, so that a list's elements can say it too. Enums, booleans, paths and
 * sections need none: their words come from their type.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE_USE)
public @interface Allowed {
    String value();
}
