package org.dbmstream.serdes;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.Map;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.apache.kafka.common.config.ConfigException;

/**
 * TLS settings for an {@code https} registry: a truststore for the registry's certificate and
 * optionally a keystore for client authentication. Without them the JVM's default trust applies.
 */
public record TlsConfig(String truststoreLocation, String truststorePassword, String truststoreType,
        String keystoreLocation, String keystorePassword, String keystoreType, String keyPassword) {

    public static final String TRUSTSTORE_LOCATION = "schema.registry.ssl.truststore.location";
    public static final String TRUSTSTORE_PASSWORD = "schema.registry.ssl.truststore.password";
    public static final String TRUSTSTORE_TYPE = "schema.registry.ssl.truststore.type";
    public static final String KEYSTORE_LOCATION = "schema.registry.ssl.keystore.location";
    public static final String KEYSTORE_PASSWORD = "schema.registry.ssl.keystore.password";
    public static final String KEYSTORE_TYPE = "schema.registry.ssl.keystore.type";
    public static final String KEY_PASSWORD = "schema.registry.ssl.key.password";

    static TlsConfig from(Map<String, ?> c) {
        String type = KeyStore.getDefaultType();
        return new TlsConfig(RegistryConfig.string(c, TRUSTSTORE_LOCATION, null),
                RegistryConfig.string(c, TRUSTSTORE_PASSWORD, null), RegistryConfig.string(c, TRUSTSTORE_TYPE, type),
                RegistryConfig.string(c, KEYSTORE_LOCATION, null), RegistryConfig.string(c, KEYSTORE_PASSWORD, null),
                RegistryConfig.string(c, KEYSTORE_TYPE, type), RegistryConfig.string(c, KEY_PASSWORD, null));
    }

    /** An SSL context from the configured stores, or null when none is configured (JVM default). */
    public SSLContext sslContext() {
        if (truststoreLocation == null && keystoreLocation == null) {
            return null;
        }
        try {
            TrustManagerFactory tmf = null;
            if (truststoreLocation != null) {
                tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                tmf.init(load(TRUSTSTORE_LOCATION, truststoreLocation, truststoreType, truststorePassword));
            }
            KeyManagerFactory kmf = null;
            if (keystoreLocation != null) {
                kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                String kp = keyPassword != null ? keyPassword : keystorePassword;
                kmf.init(load(KEYSTORE_LOCATION, keystoreLocation, keystoreType, keystorePassword),
                        kp == null ? new char[0] : kp.toCharArray());
            }
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(kmf == null ? null : kmf.getKeyManagers(), tmf == null ? null : tmf.getTrustManagers(), null);
            return ctx;
        } catch (GeneralSecurityException e) {
            throw new ConfigException("cannot set up TLS for the schema registry: " + e.getMessage());
        }
    }

    private static KeyStore load(String key, String location, String type, String password) {
        try (InputStream in = Files.newInputStream(Path.of(location))) {
            KeyStore ks = KeyStore.getInstance(type);
            ks.load(in, password == null ? null : password.toCharArray());
            return ks;
        } catch (IOException | GeneralSecurityException e) {
            throw new ConfigException(key, location, "cannot load " + type + " store: " + e.getMessage());
        }
    }
}
