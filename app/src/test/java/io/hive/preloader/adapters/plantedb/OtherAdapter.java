package io.hive.preloader.adapters.plantedb;

/** The adapter that the planted violation reaches into. */
public class OtherAdapter {
}
