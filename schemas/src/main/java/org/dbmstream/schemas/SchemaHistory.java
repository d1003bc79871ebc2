package org.dbmstream.schemas;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.avro.Schema;

/**
 * Every released version of every dbm-stream schema, read from the jar
 * ({@code /schemas/<Name>/v<N>.avsc}, listed in {@code /schemas/versions.properties}). Readers load
 * all of them so that data written by an older release still decodes; the last version of each name
 * is the current one, equal to the compiled class's schema.
 */
public final class SchemaHistory {
    private static final String INDEX = "/schemas/versions.properties";
    private static final Map<String, List<Schema>> VERSIONS = load();

    private SchemaHistory() {
    }

    /** Names of all schemas with a history (e.g. {@code ChunkValue}). */
    public static List<String> names() {
        return List.copyOf(VERSIONS.keySet());
    }

    /** All versions of a schema, oldest first; the last is the current one. */
    public static List<Schema> versions(String name) {
        List<Schema> v = VERSIONS.get(name);
        if (v == null) {
            throw new IllegalArgumentException("no schema history for '" + name + "'; known: " + VERSIONS.keySet());
        }
        return v;
    }

    /** Version labels (e.g. {@code v0, v1}) in the same order as {@link #versions(String)}. */
    public static List<String> labels(String name) {
        versions(name);
        return List.of(index().getProperty(name).split(","));
    }

    /** Every version of every schema, for filling a {@code SchemaStore}. */
    public static List<Schema> all() {
        List<Schema> all = new ArrayList<>();
        VERSIONS.values().forEach(all::addAll);
        return all;
    }

    private static Map<String, List<Schema>> load() {
        Properties index = index();
        Map<String, List<Schema>> map = new LinkedHashMap<>();
        for (String name : index.stringPropertyNames().stream().sorted().toList()) {
            List<Schema> versions = new ArrayList<>();
            for (String label : index.getProperty(name).split(",")) {
                versions.add(parse("/schemas/" + name + "/" + label.trim() + ".avsc"));
            }
            map.put(name, List.copyOf(versions));
        }
        return map;
    }

    private static Properties index() {
        try (InputStream in = SchemaHistory.class.getResourceAsStream(INDEX)) {
            if (in == null) {
                throw new IllegalStateException("schema index " + INDEX + " missing from the classpath");
            }
            Properties p = new Properties();
            p.load(in);
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + INDEX, e);
        }
    }

    private static Schema parse(String resource) {
        try (InputStream in = SchemaHistory.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("schema " + resource + " listed in " + INDEX + " but missing");
            }
            // A fresh parser per file: each version redefines the same named types.
            return new Schema.Parser().parse(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read schema " + resource, e);
        }
    }
}
