/**
 * The source side of dbm-stream, QEMU's save side as a Kafka producer.
 *
 * <p>{@link org.dbmstream.source.MigrationRequest} says what to publish (qcow2 images, a QEMU migration
 * stream, raw or in-memory bitmaps; source and destination mappings; target);
 * {@link org.dbmstream.source.MigrationPlanner} applies QEMU's selection rules and lines up the chunks;
 * {@link org.dbmstream.source.MigrationRecords} turns a plan into the deterministic record sequence
 * (spec, then chunks with per-key sequence numbers) that both {@link org.dbmstream.source.MigrationPublisher}
 * and the Kafka Connect task send; {@link org.dbmstream.source.PublishListener} receives progress
 * ({@link org.dbmstream.source.LineProgressRenderer} prints it as lines; the CLI draws a bar); {@link org.dbmstream.source.MigrationWatcher}
 * follows the destination's events for one migration.
 */
package org.dbmstream.source;
