package org.dbmstream.broker;

import java.nio.file.Path;
import java.util.Properties;

/**
 * Authenticated, encrypted listeners for the {@link EmbeddedKafkaBroker}, beside its PLAINTEXT one:
 * {@code SASL_SSL} with SCRAM-SHA-512 and {@code SSL} with client certificates required (mTLS), both
 * with the broker's certificate from {@code keystore}; client certificates are trusted through
 * {@code truststore}. The broker runs KRaft's {@code StandardAuthorizer}: a principal may do only what
 * ACLs allow. An mTLS principal is its certificate's CN ({@code CN=dbm-source,...} is
 * {@code User:dbm-source}), so one set of ACLs serves both listeners. The PLAINTEXT listener and the
 * controller stay open to {@code User:ANONYMOUS}, a super user, for the broker itself and for the
 * administrator (ACLs, SCRAM credentials).
 *
 * @param keystore   PKCS12 keystore with the broker's key and certificate (SAN IP:127.0.0.1)
 * @param truststore PKCS12 truststore with the certificates of the clients allowed to use mTLS
 * @param password   password of both stores and of the key
 */
public record SecureListeners(Path keystore, Path truststore, String password) {
    /** Listener name and security protocol of the SCRAM listener. */
    public static final String SASL_SSL = "SASL_SSL";
    /** Listener name and security protocol of the mTLS listener. */
    public static final String SSL = "SSL";
    public static final String SCRAM_MECHANISM = "SCRAM-SHA-512";

    /** Adds the two listeners, TLS, SCRAM and the authorizer to the broker's {@code props}. */
    void apply(Properties props, String host, int saslSslPort, int sslPort) {
        props.put("listeners", props.getProperty("listeners") + "," + SASL_SSL + "://" + host + ":" + saslSslPort + ","
                + SSL + "://" + host + ":" + sslPort);
        props.put("advertised.listeners", props.getProperty("advertised.listeners") + "," + SASL_SSL + "://" + host
                + ":" + saslSslPort + "," + SSL + "://" + host + ":" + sslPort);
        props.put("listener.security.protocol.map", props.getProperty("listener.security.protocol.map") + ","
                + SASL_SSL + ":" + SASL_SSL + "," + SSL + ":" + SSL);
        props.put("ssl.keystore.type", "PKCS12");
        props.put("ssl.keystore.location", keystore.toAbsolutePath().toString());
        props.put("ssl.keystore.password", password);
        props.put("ssl.key.password", password);
        props.put("ssl.truststore.type", "PKCS12");
        props.put("ssl.truststore.location", truststore.toAbsolutePath().toString());
        props.put("ssl.truststore.password", password);
        props.put("listener.name.ssl.ssl.client.auth", "required");
        props.put("ssl.principal.mapping.rules", "RULE:^CN=([^,]+).*$/$1/,DEFAULT");
        props.put("sasl.enabled.mechanisms", SCRAM_MECHANISM);
        props.put("listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config",
                "org.apache.kafka.common.security.scram.ScramLoginModule required;");
        props.put("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
        props.put("super.users", "User:ANONYMOUS");
        props.put("allow.everyone.if.no.acl.found", "false");
    }
}
