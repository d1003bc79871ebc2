package org.dbmstream.serdes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.dbmstream.schemas.ChunkValue;
import org.dbmstream.serdes.testing.ApicurioExtension;
import org.dbmstream.serdes.testing.ApicurioRegistry;
import org.dbmstream.testkit.CapturedLogs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Basic auth and retries, through a basic-auth proxy in front of the real Apicurio Registry. */
@ExtendWith(ApicurioExtension.class)
class RegistryAuthIT {
    private final ApicurioRegistry registry;

    RegistryAuthIT(ApicurioRegistry registry) {
        this.registry = registry;
    }

    private static final ChunkValue VALUE = (ChunkValue) Samples.all().get(ChunkValue.class).get(1);

    @Test
    void basicAuthFromUserInfoAndFromUrl() throws Exception {
        try (AuthProxy proxy = new AuthProxy(registry.url(), "dbm:s3cret")) {
            var userInfo = DbmSerdes.chunkValue(Map.of(SerdeConfig.FORMAT, "registry", RegistryConfig.URL, proxy.url(),
                    RegistryConfig.BASIC_AUTH_SOURCE, "USER_INFO", RegistryConfig.USER_INFO, "dbm:s3cret"));
            assertThat(userInfo.deserialize("auth1.chunks", userInfo.serialize("auth1.chunks", VALUE))).isEqualTo(VALUE);

            String inUrl = proxy.url().replace("http://", "http://dbm:s3cret@");
            var fromUrl = DbmSerdes.chunkValue(Map.of(SerdeConfig.FORMAT, "registry", RegistryConfig.URL, inUrl,
                    RegistryConfig.BASIC_AUTH_SOURCE, "URL"));
            byte[] bytes = fromUrl.serialize("auth2.chunks", VALUE);
            assertThat(DbmSerdes.chunkValue(Map.of(RegistryConfig.URL, registry.url()))
                    .deserialize("auth2.chunks", bytes)).isEqualTo(VALUE);

            var wrong = DbmSerdes.chunkValue(Map.of(SerdeConfig.FORMAT, "registry", RegistryConfig.URL, proxy.url(),
                    RegistryConfig.USER_INFO, "dbm:wrong"));
            assertThatThrownBy(() -> wrong.serialize("auth3.chunks", VALUE))
                    .isInstanceOf(SchemaRegistryException.class).hasMessageContaining("HTTP 401")
                    .hasMessageContaining("check basic.auth.credentials.source/basic.auth.user.info");
        }
    }

    @Test
    void transientUnavailabilityIsRetriedThenReportedWithTheAttemptCount() throws Exception {
        try (CapturedLogs logs = CapturedLogs.of(SchemaRegistryClient.class);
                AuthProxy proxy = new AuthProxy(registry.url(), "u:p")) {
            Map<String, Object> config = Map.of(SerdeConfig.FORMAT, "registry", RegistryConfig.URL, proxy.url(),
                    RegistryConfig.USER_INFO, "u:p", RegistryConfig.MAX_RETRIES, 2, RegistryConfig.RETRIES_WAIT_MS, 20);
            proxy.unavailable.set(2);
            byte[] bytes = DbmSerdes.chunkValue(config).serialize("retry1.chunks", VALUE);
            assertThat(proxy.requests.get()).isEqualTo(3);
            assertThat(WireFormat.detect(bytes)).isEqualTo(WireFormat.CONFLUENT);

            proxy.unavailable.set(3);
            assertThatThrownBy(() -> DbmSerdes.chunkValue(config).serialize("retry2.chunks", VALUE))
                    .isInstanceOf(SchemaRegistryException.class).hasMessageContaining("HTTP 503")
                    .hasMessageContaining("registry restarting");
            assertThat(logs.warnings()).hasSize(4).allMatch(m -> m.contains(" answered 503 (attempt "))
                    .noneMatch(m -> m.contains("u:p"));
        }
    }
}
