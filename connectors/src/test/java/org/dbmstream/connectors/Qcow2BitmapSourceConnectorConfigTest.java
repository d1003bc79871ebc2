package org.dbmstream.connectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.ConfigValue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Qcow2BitmapSourceConnectorConfigTest {
    @TempDir
    Path dir;

    private Map<String, String> valid() throws IOException {
        Files.write(dir.resolve("a.qcow2"), new byte[0]);
        Map<String, String> m = new HashMap<>();
        m.put("name", "c1");
        m.put("images", dir.toString());
        m.put("key.converter", Qcow2BitmapSourceConnector.BYTE_ARRAY_CONVERTER);
        m.put("value.converter", Qcow2BitmapSourceConnector.BYTE_ARRAY_CONVERTER);
        return m;
    }

    private static List<String> errors(Map<String, String> props, String key) {
        return new Qcow2BitmapSourceConnector().validate(props).configValues().stream()
                .filter(v -> v.name().equals(key)).flatMap(v -> v.errorMessages().stream()).toList();
    }

    @Test
    void defaultsAreSensible() throws IOException {
        var c = new Qcow2BitmapSourceConnectorConfig(valid());
        assertThat(c.target()).isEqualTo("default");
        assertThat(c.topicPrefix()).isEqualTo("dbm.");
        assertThat(c.filePattern()).isEqualTo("*.qcow2");
        assertThat(c.rateLimit()).isZero();
        assertThat(c.sourceId("c1")).isEqualTo("connect:c1");
        assertThat(c.sourceMappingFile()).isNull();
        assertThat(errors(valid(), "images")).isEmpty();
        assertThat(errors(valid(), "value.converter")).isEmpty();
    }

    @Test
    void chunksAreEightKibUnlessSetAndOnlyTheOfferedSizesAreTaken() throws IOException {
        assertThat(new Qcow2BitmapSourceConnectorConfig(valid()).chunkSize().bytes()).isEqualTo(8192);
        Map<String, String> m = valid();
        m.put("chunk.size", "1K");
        assertThat(new Qcow2BitmapSourceConnectorConfig(m).chunkSize().bytes()).isEqualTo(1024);
        m.put("chunk.size", "16K");
        assertThat(errors(m, "chunk.size")).singleElement().asString().contains("chunk size must be 1K, 2K, 4K or 8K");
    }

    @Test
    void missingImagesAreNamed() throws IOException {
        Map<String, String> m = valid();
        m.put("images", dir.resolve("nope.qcow2").toString());
        assertThat(errors(m, "images")).singleElement().asString()
                .contains("nope.qcow2").contains("no such file or directory");
        m.put("images", "");
        assertThatThrownBy(() -> new Qcow2BitmapSourceConnectorConfig(m)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("at least one image file or directory is required");
    }

    @Test
    void badNumbersAndFilesAreRefusedWithTheirRange() throws IOException {
        Map<String, String> m = valid();
        m.put("rate.limit.bytes.per.second", "-5");
        m.put("batch.max.records", "0");
        m.put("source.mapping.file", dir.resolve("missing.json").toString());
        m.put("target", " ");
        assertThat(errors(m, "rate.limit.bytes.per.second")).singleElement().asString().contains("at least 0");
        assertThat(errors(m, "batch.max.records")).singleElement().asString().contains("at least 1");
        assertThat(errors(m, "source.mapping.file")).singleElement().asString().contains("not a readable file");
        assertThat(errors(m, "target")).singleElement().asString().contains("must not be empty");
    }

    @Test
    void convertersMustPassTheBytesThrough() throws IOException {
        Map<String, String> m = valid();
        m.put("value.converter", "org.apache.kafka.connect.json.JsonConverter");
        m.remove("key.converter");
        assertThat(errors(m, "value.converter")).singleElement().asString()
                .contains("must be org.apache.kafka.connect.converters.ByteArrayConverter");
        assertThat(errors(m, "key.converter")).hasSize(1);
    }

    @Test
    void imagesAreSpreadOverTasksRoundRobin() throws IOException {
        Files.write(dir.resolve("b.qcow2"), new byte[0]);
        Files.write(dir.resolve("c.qcow2"), new byte[0]);
        Files.write(dir.resolve("notes.txt"), new byte[0]);
        var connector = new Qcow2BitmapSourceConnector();
        connector.start(valid());
        var tasks = connector.taskConfigs(2);
        assertThat(tasks).hasSize(2);
        assertThat(tasks.get(0).get("task.images")).isEqualTo(dir.resolve("a.qcow2") + "," + dir.resolve("c.qcow2"));
        assertThat(tasks.get(1).get("task.images")).isEqualTo(dir.resolve("b.qcow2").toString());
        assertThat(connector.taskConfigs(10)).hasSize(3);
    }

    @Test
    void aDirectoryWithoutImagesIsAnError() throws IOException {
        Map<String, String> m = valid();
        Path empty = Files.createDirectory(dir.resolve("empty"));
        m.put("images", empty.toString());
        assertThatThrownBy(() -> new Qcow2BitmapSourceConnector().start(m)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("no image file found");
    }

    @Test
    void malformedOffsetsAreRefused() {
        var connector = new Qcow2BitmapSourceConnector();
        assertThat(connector.alterOffsets(Map.of(), Map.of(Map.of("image", "/x.qcow2"),
                Map.of("migration", "m", "position", 3, "done", false)))).isTrue();
        assertThatThrownBy(() -> connector.alterOffsets(Map.of(), Map.of(Map.of("image", "/x.qcow2"),
                Map.of("position", "three")))).hasMessageContaining("malformed source offset");
    }

    @Test
    void rescansKeepTheReplicaCurrentBySyncRoundsUnlessToldToMigrate() throws IOException {
        Map<String, String> m = valid();
        assertThat(new Qcow2BitmapSourceConnectorConfig(m).syncMode()).as("one publication: migrate").isFalse();
        m.put("images.rescan.interval.ms", "60000");
        assertThatThrownBy(() -> new Qcow2BitmapSourceConnectorConfig(m)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("kafka.bootstrap.servers").hasMessageContaining("publish.mode=migrate");
        m.put("kafka.bootstrap.servers", "kafka:9092");
        assertThat(new Qcow2BitmapSourceConnectorConfig(m).syncMode()).isTrue();
        m.put("publish.mode", "migrate");
        assertThat(new Qcow2BitmapSourceConnectorConfig(m).syncMode()).isFalse();
        m.put("publish.mode", "mirror");
        assertThat(errors(m, "publish.mode")).singleElement().asString().contains("mirror");
    }

    @Test
    void configValuesCarryEveryKey() throws IOException {
        var names = new Qcow2BitmapSourceConnector().validate(valid()).configValues().stream().map(ConfigValue::name)
                .toList();
        assertThat(names).contains("images", "target", "topic.prefix", "rate.limit.bytes.per.second");
    }
}
