package io.hive.preloader.adapters.http;

import java.util.List;

/**
 * One resource of the API and the routes it serves. A resource does its own work only: what every request passes
 * first (its path, the token, the body's size, the server closing) is {@link Guard}'s, in one place.
 */
interface Resource {
    List<Route> routes();
}
