package org.dbmstream.connectors;

/** The connector's version, from the jar manifest when packaged. */
final class ConnectorVersion {
    static final String VERSION = versionOf();

    private ConnectorVersion() {
    }

    private static String versionOf() {
        String v = ConnectorVersion.class.getPackage().getImplementationVersion();
        return v != null ? v : "0.1.0-SNAPSHOT";
    }
}
