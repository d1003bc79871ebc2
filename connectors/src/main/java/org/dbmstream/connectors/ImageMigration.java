package org.dbmstream.connectors;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.dbmstream.bitmap.mapping.AliasMap;
import org.dbmstream.source.MigrationFingerprint;
import org.dbmstream.source.MigrationInput;
import org.dbmstream.source.MigrationPlan;
import org.dbmstream.source.MigrationPlanner;
import org.dbmstream.source.MigrationRecords;
import org.dbmstream.source.MigrationRequest;
import org.dbmstream.source.RecordSerializers;
import org.dbmstream.source.TextFiles;
import org.dbmstream.serdes.Topics;

/**
 * One image's migration as a Connect task sends it: the shared {@link MigrationRecords} sequence of
 * the publisher, under a migration id derived from the image file (path, size, modification time) and
 * from the migration's content ({@link MigrationFingerprint}: target, mappings, every chunk), so the same
 * image always maps to the same migration and a resumed task continues it, while other content (the
 * file rewritten in place, another target or mapping) never goes out under an id already used: a
 * migration id is an identity. The spec carries the fingerprint in its header, as the CLI's does.
 */
final class ImageMigration implements AutoCloseable {
    private final Path image;
    private final MigrationPlan plan;
    private final MigrationRecords records;

    private ImageMigration(Path image, MigrationPlan plan, MigrationRecords records) {
        this.image = image;
        this.plan = plan;
        this.records = records;
    }

    /** The file identity of {@code image} now: path, size, modification time. */
    static String fileIdentity(Path image) throws IOException {
        BasicFileAttributes attrs = Files.readAttributes(image, BasicFileAttributes.class);
        return image.toAbsolutePath().normalize() + "\n" + attrs.size() + "\n" + attrs.lastModifiedTime().toMillis();
    }

    /** The migration id of {@code image} as it is now on disk, published with {@code config}. */
    static String migrationId(Qcow2BitmapSourceConnectorConfig config, Path image) throws IOException {
        return migrationId(config.migrationPrefix(), image, fileIdentity(image),
                MigrationFingerprint.of(request(image, config).build()).fingerprint());
    }

    static String migrationId(String prefix, Path image, String fileIdentity, String fingerprint) {
        String identity = fileIdentity + "\n" + fingerprint;
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(identity.getBytes(StandardCharsets.UTF_8));
            return prefix + new MigrationInput.Qcow2Image(image).node() + "-"
                    + HexFormat.of().formatHex(digest, 0, 6);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }

    /** What {@code config} asks to publish of {@code image} (no id yet). */
    static MigrationRequest.Builder request(Path image, Qcow2BitmapSourceConnectorConfig config) throws IOException {
        MigrationRequest.Builder request = MigrationRequest.builder()
                .target(config.target())
                .input(new MigrationInput.Qcow2Image(image));
        if (config.sourceMappingFile() != null) {
            request.sourceMapping(AliasMap.fromJson(TextFiles.readUtf8(config.sourceMappingFile())));
        }
        if (config.destinationMappingFile() != null) {
            request.destinationMapping(AliasMap.fromJson(TextFiles.readUtf8(config.destinationMappingFile())).mapping());
        }
        return request;
    }

    /**
     * Plans {@code image}'s migration {@code migrationId} with its content {@code fingerprint} (selection
     * errors surface here, QEMU's messages).
     */
    static ImageMigration open(Path image, String migrationId, String fingerprint,
            Qcow2BitmapSourceConnectorConfig config, Topics topics, RecordSerializers serializers, String sourceId)
            throws IOException {
        MigrationPlan plan = MigrationPlanner.plan(request(image, config).migrationId(migrationId)
                .fingerprint(fingerprint).build());
        return new ImageMigration(image, plan, new MigrationRecords(plan, topics, serializers, sourceId));
    }

    Path image() {
        return image;
    }

    String migrationId() {
        return plan.migrationId();
    }

    /** Headers of the spec record: the content fingerprint. */
    org.apache.kafka.connect.header.Headers specHeaders() {
        org.apache.kafka.connect.header.ConnectHeaders headers = new org.apache.kafka.connect.header.ConnectHeaders();
        if (plan.fingerprint() != null) {
            headers.addBytes(MigrationFingerprint.HEADER, plan.fingerprint().getBytes(StandardCharsets.UTF_8));
        }
        return headers;
    }

    MigrationRecords records() {
        return records;
    }

    @Override
    public void close() {
        plan.close();
    }
}
