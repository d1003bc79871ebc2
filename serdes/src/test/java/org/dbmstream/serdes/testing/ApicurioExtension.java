package org.dbmstream.serdes.testing;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit extension that starts one {@link ApicurioRegistry} per test run (kept in the root store,
 * which closes it when the run ends) and injects it into test constructors and methods.
 */
public final class ApicurioExtension implements ParameterResolver {

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == ApicurioRegistry.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return context.getRoot().getStore(ExtensionContext.Namespace.create(ApicurioExtension.class))
                .getOrComputeIfAbsent(ApicurioRegistry.class, k -> {
                    try {
                        return ApicurioRegistry.start();
                    } catch (Exception e) {
                        throw new IllegalStateException("cannot start Apicurio Registry: " + e.getMessage(), e);
                    }
                }, ApicurioRegistry.class);
    }
}
