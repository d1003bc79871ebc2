package org.dbmstream.broker.testing;

import java.util.Locale;

import org.dbmstream.broker.EmbeddedKafkaBroker;
import org.dbmstream.broker.KafkaBroker;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Gives integration tests one Kafka broker per test class, chosen by one switch, the system
 * property {@value #SWITCH}:
 * <ul>
 *   <li>{@code embedded} (default): the in-process {@link EmbeddedKafkaBroker};</li>
 *   <li>{@code testcontainers}: a Kafka container (needs {@code org.testcontainers:testcontainers-kafka} on the test
 *       classpath and a Docker engine; without one the class is skipped, not failed).</li>
 * </ul>
 * Use with {@code @ExtendWith(KafkaBrokerExtension.class)} and a {@link KafkaBroker} parameter on a
 * {@code @BeforeAll}, constructor or test method. The broker stops after the class's last test.
 */
public final class KafkaBrokerExtension implements ExecutionCondition, BeforeAllCallback, ParameterResolver {

    /** System property that selects the broker: {@code embedded} or {@code testcontainers}. */
    public static final String SWITCH = "dbm.it.broker";

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(KafkaBrokerExtension.class);

    /** Reports the test class as skipped, with the reason, when the selected broker cannot run here. */
    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        if (!mode().equals("testcontainers")) {
            return ConditionEvaluationResult.enabled("in-process Kafka broker");
        }
        try {
            return ContainerKafkaBroker.dockerAvailable()
                    ? ConditionEvaluationResult.enabled("Testcontainers Kafka broker")
                    : ConditionEvaluationResult.disabled(SWITCH + "=testcontainers but no Docker engine is reachable");
        } catch (NoClassDefFoundError e) {
            return ConditionEvaluationResult.disabled(SWITCH + "=testcontainers needs org.testcontainers:testcontainers-kafka on the test classpath");
        }
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        broker(context);
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == KafkaBroker.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return broker(context);
    }

    /** The broker of the test class that {@code context} belongs to, started on first use. */
    public static KafkaBroker broker(ExtensionContext context) {
        ExtensionContext owner = context;
        // one broker per outermost test class: method and nested contexts share it
        while (owner.getParent().isPresent() && owner.getParent().get().getParent().isPresent()) {
            owner = owner.getParent().get();
        }
        // the store closes AutoCloseable values when the class's context ends
        return owner.getStore(NAMESPACE).getOrComputeIfAbsent(KafkaBroker.class, k -> startSelected(), KafkaBroker.class);
    }

    private static String mode() {
        return System.getProperty(SWITCH, "embedded").trim().toLowerCase(Locale.ROOT);
    }

    private static KafkaBroker startSelected() {
        String mode = mode();
        switch (mode) {
            case "", "embedded", "in-process":
                return new EmbeddedKafkaBroker().start();
            case "testcontainers":
                try {
                    return ContainerKafkaBroker.startIfDockerPresent();
                } catch (NoClassDefFoundError e) {
                    Assumptions.abort(SWITCH + "=testcontainers needs org.testcontainers:testcontainers-kafka on the test classpath");
                    throw e;
                }
            default:
                throw new IllegalArgumentException("Unknown " + SWITCH + " '" + mode + "': use embedded or testcontainers");
        }
    }
}
