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
import org.dbmstream.source.MigrationInput;
import org.dbmstream.source.MigrationPlan;
import org.dbmstream.source.MigrationPlanner;
import org.dbmstream.source.MigrationRecords;
import org.dbmstream.source.MigrationRequest;
import org.dbmstream.source.RecordSerializers;
import org.dbmstream.serdes.Topics;

/**
 * One image's migration as a Connect task sends it: the shared {@link MigrationRecords} sequence of
 * the publisher, under a migration id derived from the image file (path, size, modification time) so
 * the same image always maps to the same migration and a resumed task continues it.
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

    /** The migration id of {@code image} as it is now on disk. */
    static String migrationId(String prefix, Path image) throws IOException {
        BasicFileAttributes attrs = Files.readAttributes(image, BasicFileAttributes.class);
        String identity = image.toAbsolutePath().normalize() + "\n" + attrs.size() + "\n"
                + attrs.lastModifiedTime().toMillis();
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(identity.getBytes(StandardCharsets.UTF_8));
            return prefix + new MigrationInput.Qcow2Image(image).node() + "-"
                    + HexFormat.of().formatHex(digest, 0, 6);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }

    /** Plans {@code image}'s migration {@code migrationId} (selection errors surface here, QEMU's messages). */
    static ImageMigration open(Path image, String migrationId, Qcow2BitmapSourceConnectorConfig config,
            Topics topics, RecordSerializers serializers, String sourceId) throws IOException {
        MigrationRequest.Builder request = MigrationRequest.builder()
                .migrationId(migrationId)
                .target(config.target())
                .input(new MigrationInput.Qcow2Image(image));
        if (config.sourceMappingFile() != null) {
            request.sourceMapping(AliasMap.fromJson(Files.readString(config.sourceMappingFile())));
        }
        if (config.destinationMappingFile() != null) {
            request.destinationMapping(AliasMap.fromJson(Files.readString(config.destinationMappingFile())).mapping());
        }
        MigrationPlan plan = MigrationPlanner.plan(request.build());
        return new ImageMigration(image, plan, new MigrationRecords(plan, topics, serializers, sourceId));
    }

    Path image() {
        return image;
    }

    String migrationId() {
        return plan.migrationId();
    }

    MigrationRecords records() {
        return records;
    }

    @Override
    public void close() {
        plan.close();
    }
}
