/**
 * Kafka Connect source connector publishing the persistent dirty bitmaps of qcow2 images as dbm-stream
 * migrations: {@link org.dbmstream.connectors.Qcow2BitmapSourceConnector}, its task and configuration.
 */
package org.dbmstream.connectors;
