package org.dbmstream.serdes;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.utils.Utils;

/**
 * Checks, before a command or the destination starts work, that the Kafka brokers and the schema
 * registry it is configured for answer, so that an unreachable or unresolvable address is a clear
 * error naming it within {@link #TIMEOUT_CONFIG} (default 15 s) instead of a Kafka client retrying
 * for a minute and then reporting a missing topic. The check uses the same client settings (security
 * protocol, SASL, TLS) as the real clients, so a broker that refuses them is reported too.
 */
public final class ServiceCheck {
    /** Properties-file key: how long to wait for a broker or registry to answer, in milliseconds. */
    public static final String TIMEOUT_CONFIG = "dbm.connect.timeout.ms";
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(15);

    private ServiceCheck() {
    }

    /** The check's timeout from {@code config} ({@link #TIMEOUT_CONFIG}), else 15 s. */
    public static Duration timeout(Map<String, ?> config) {
        Object v = config.get(TIMEOUT_CONFIG);
        return v == null ? DEFAULT_TIMEOUT : Duration.ofMillis(Long.parseLong(v.toString().trim()));
    }

    /** Checks the brokers at {@code bootstrapServers} and, if configured, the schema registry. */
    public static void check(String bootstrapServers, Map<String, ?> config) {
        Duration timeout = timeout(config);
        checkKafka(bootstrapServers, config, timeout);
        if (config.get(RegistryConfig.URL) != null) {
            checkRegistry(config, timeout);
        }
    }

    /**
     * Resolves every bootstrap address, opens a TCP connection to it, then asks the cluster for its id
     * with the client settings of {@code config}.
     *
     * @throws ServiceUnreachableException naming the addresses and what went wrong
     */
    public static void checkKafka(String bootstrapServers, Map<String, ?> config, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<String> problems = new ArrayList<>();
        boolean anyConnected = false;
        for (String server : bootstrapServers.split(",")) {
            String s = server.trim();
            if (s.isEmpty()) {
                continue;
            }
            String host = Utils.getHost(s);
            Integer port = Utils.getPort(s);
            if (host == null || port == null) {
                throw new ServiceUnreachableException("Kafka bootstrap server '" + s + "' is not HOST:PORT", null);
            }
            String problem = connect(host, port, remaining(deadline, timeout));
            if (problem == null) {
                anyConnected = true;
            } else {
                problems.add(s + ": " + problem);
            }
        }
        if (!anyConnected) {
            throw new ServiceUnreachableException("cannot reach a Kafka broker at " + bootstrapServers + " ("
                    + String.join("; ", problems) + ")", null);
        }
        askForClusterId(bootstrapServers, config, deadline, timeout);
    }

    /** Null when a TCP connection to {@code host:port} opened, else why not. */
    private static String connect(String host, int port, Duration timeout) {
        InetAddress[] addresses;
        try {
            addresses = InetAddress.getAllByName(host);
        } catch (UnknownHostException e) {
            return "unknown host '" + host + "' (" + e.getMessage() + ")";
        }
        String last = "no address";
        for (InetAddress a : addresses) {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(a, port), (int) Math.max(1, timeout.toMillis()));
                return null;
            } catch (IOException e) {
                String why = e.getMessage() != null ? e.getMessage() : e.toString();
                last = a.getHostAddress().equals(host) ? why : a.getHostAddress() + " " + why;
            }
        }
        return last;
    }

    private static void askForClusterId(String bootstrapServers, Map<String, ?> config, long deadline,
                                        Duration timeout) {
        Map<String, Object> props = new HashMap<>();
        config.forEach((k, v) -> {
            if (AdminClientConfig.configNames().contains(k)) {
                props.put(k, v);
            }
        });
        int ms = (int) Math.max(1000, remaining(deadline, timeout).toMillis());
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, ms);
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, ms);
        try (Admin admin = Admin.create(props)) {
            try {
                admin.describeCluster(new DescribeClusterOptions().timeoutMs(ms)).clusterId()
                        .get(ms + 1000L, TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                Throwable c = e.getCause();
                if (c instanceof AuthenticationException) {
                    throw new ServiceUnreachableException("Kafka at " + bootstrapServers + " refused the client's"
                            + " credentials or certificate: " + c.getMessage(), c);
                }
                if (c instanceof org.apache.kafka.common.errors.TimeoutException) {
                    throw noAnswer(bootstrapServers, timeout, c);
                }
                throw new ServiceUnreachableException("Kafka at " + bootstrapServers + " did not answer: " + c, c);
            } catch (TimeoutException e) {
                throw noAnswer(bootstrapServers, timeout, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ServiceUnreachableException("interrupted while checking Kafka at " + bootstrapServers, e);
            } finally {
                admin.close(Duration.ZERO);
            }
        } catch (org.apache.kafka.common.KafkaException e) {
            throw new ServiceUnreachableException("cannot create a Kafka client for " + bootstrapServers + ": "
                    + e.getMessage() + (e.getCause() != null ? " (" + e.getCause().getMessage() + ")" : ""), e);
        }
    }

    private static ServiceUnreachableException noAnswer(String servers, Duration timeout, Throwable cause) {
        return new ServiceUnreachableException("Kafka at " + servers + " accepted a connection but gave no answer"
                + " within " + timeout.toSeconds() + " s: is it a Kafka listener, and do security.protocol and the"
                + " SASL/TLS settings match it? (" + TIMEOUT_CONFIG + " sets how long to wait)", cause);
    }

    /**
     * Asks the schema registry of {@code config} for a subject once, without retries: any HTTP answer
     * but 401/403 proves it is there.
     */
    public static void checkRegistry(Map<String, ?> config, Duration timeout) {
        RegistryConfig c = RegistryConfig.from(config);
        RegistryConfig once = new RegistryConfig(c.urls(), c.autoRegister(), c.userInfo(), c.tls(), timeout, timeout,
                0, c.retryWait());
        try {
            new SchemaRegistryClient(once).versions("dbm-stream-reachability-check");
        } catch (SchemaRegistryException e) {
            if (e.status() == 401 || e.status() == 403) {
                throw new ServiceUnreachableException("schema registry " + c.urls() + " refused the credentials"
                        + " (HTTP " + e.status() + "): " + e.getMessage(), e);
            }
            if (e.status() < 0) {
                Throwable cause = e.getCause();
                throw new ServiceUnreachableException("cannot reach the schema registry at " + c.urls() + " within "
                        + timeout.toSeconds() + " s: " + (cause != null ? cause : e.getMessage()), e);
            }
        }
    }

    private static Duration remaining(long deadline, Duration timeout) {
        long left = deadline - System.nanoTime();
        return left <= 0 ? Duration.ofMillis(1) : Duration.ofNanos(Math.min(left, timeout.toNanos()));
    }
}
