package io.samzakv.node;

import com.hazelcast.core.HazelcastInstance;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.samzakv.api.bus.KvBusVerticle;
import io.samzakv.api.bus.TableBusVerticle;
import io.samzakv.api.http.ApiRouter;
import io.samzakv.api.http.HttpApiVerticle;
import io.samzakv.cluster.ClusterMembers;
import io.samzakv.cluster.Controller;
import io.samzakv.cluster.CpMembership;
import io.samzakv.cluster.HazelcastSetup;
import io.samzakv.cluster.MemberReports;
import io.samzakv.cluster.TableDirectory;
import io.samzakv.cluster.TableFile;
import io.samzakv.cluster.TableStores;
import io.samzakv.codec.ValueCodec;
import io.samzakv.config.NodeConfig;
import io.samzakv.disk.NoSpaceException;
import io.samzakv.kv.Alarms;
import io.samzakv.lock.LockService;
import io.samzakv.lock.LocksHeldGauge;
import io.samzakv.oplog.CorruptLogException;
import io.samzakv.oplog.OpLog;
import io.samzakv.oplog.OpLogOptions;
import io.samzakv.replication.ReplicationVerticle;
import io.samzakv.routing.ForwardedRequests;
import io.samzakv.routing.KvRouter;
import io.samzakv.routing.LocalPartitions;
import io.samzakv.storage.PartitionCountMismatchException;
import io.samzakv.storage.StorageCorruptException;
import io.samzakv.storage.StorageEngine;
import io.samzakv.storage.lmdb.LmdbOptions;
import io.samzakv.storage.lmdb.LmdbStorageEngine;
import io.samzakv.store.LocalStore;
import io.vertx.core.AsyncResult;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.MetricsDomain;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One samza-kv node: opens the data directory, recovers the store, joins the cluster, serves HTTP
 * and the event bus, and on {@link #stop} undoes all of it in reverse without losing a write.
 *
 * <p>Thread contract: {@link #start} and {@link #stop} block and run on a plain thread (main, a
 * signal handler, a test), never on an event loop.
 */
public final class Node {
  private static final System.Logger LOG = System.getLogger(Node.class.getName());
  private static final long START_TIMEOUT_SECONDS = 120;
  private static final int LMDB_MAX_READERS = 126;
  private static final Duration CHECKPOINT_INTERVAL = Duration.ofSeconds(5);
  private static final Duration CLEANUP_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration TABLE_POLL_INTERVAL = Duration.ofSeconds(1);

  private final DataDirectory dataDir;
  private final JvmMeters jvmMeters;
  private final Vertx vertx;
  private final LocalStore store;
  private final NodeState state;
  private final TableDirectory directory;
  private final List<String> deployments;
  private final int httpPort;

  private Node(
      DataDirectory dataDir,
      JvmMeters jvmMeters,
      Vertx vertx,
      LocalStore store,
      NodeState state,
      TableDirectory directory,
      List<String> deployments,
      int httpPort) {
    this.dataDir = dataDir;
    this.jvmMeters = jvmMeters;
    this.vertx = vertx;
    this.store = store;
    this.state = state;
    this.directory = directory;
    this.deployments = deployments;
    this.httpPort = httpPort;
  }

  /** Starts a node and returns once it is ready, or throws a {@link StartupException}. */
  public static Node start(NodeConfig config) {
    PortCheck.requireFree("KV_HTTP_PORT", config.httpHost(), config.httpPort());
    PortCheck.requireFree("KV_CLUSTER_PORT", config.clusterHost(), config.clusterPort());
    PortCheck.requireFree("KV_BUS_PORT", config.busHost(), config.busPort());
    DataDirectory dataDir = DataDirectory.open(config.dataDir(), config.nodeId());
    // What a failed start must undo, most recently opened first.
    Deque<AutoCloseable> opened = new ArrayDeque<>();
    opened.push(dataDir);
    try {
      PrometheusMeterRegistry registry = NodeMeters.registry();
      NodeMeters.buildInfo(registry, BuildInfo.current());
      Alarms alarms = alarms(registry);
      JvmMeters jvmMeters = new JvmMeters(registry);
      opened.push(jvmMeters);
      // Joining the cluster takes seconds of Hazelcast start-up on Vert.x's threads; this thread
      // recovers the store meanwhile, so a restart waits for the slower of the two, not both.
      Future<Vertx> clustering = startVertx(config, dataDir.nodeId(), registry);
      opened.push(() -> await(clustering.transform(started -> closeIfStarted(started))));
      long recoveryStart = System.nanoTime();
      StorageEngine storage = openStorage(config, dataDir);
      opened.push(storage);
      // Synced first: recovery may move aside segments the store covers, and must never count on
      // LMDB pages a power cut could still take back.
      OpLog log = openLog(config, dataDir, registry, storage.sync());
      opened.push(log);
      LocalStore store = LocalStore.recover(log, storage, storeOptions(config, registry, alarms));
      NodeMeters.recoveryTime(registry, System.nanoTime() - recoveryStart);
      // From here the store owns the log and the engine, and closes them itself.
      opened.remove(log);
      opened.remove(storage);
      opened.push(store);
      Vertx vertx = joined(clustering);
      return serve(config, dataDir, jvmMeters, vertx, store, registry, alarms);
    } catch (Throwable e) {
      // Any Throwable: an Error (LMDB's native library not loading, say) must not leave Vert.x
      // and Hazelcast threads running a process that never serves.
      closeWithin(opened, CLEANUP_TIMEOUT);
      throw e instanceof StartupException startup
          ? startup
          : new StartupException("start-up", StartupException.describe(e), e);
    }
  }

  /** Opens LMDB in the data dir; every failure names the directory or the setting at fault. */
  static StorageEngine openStorage(NodeConfig config, DataDirectory dataDir) {
    Path dir = dataDir.root().resolve("lmdb");
    try {
      return LmdbStorageEngine.open(
          dir,
          config.partitions(),
          new LmdbOptions(
              config.lmdbInitialMapBytes(), LMDB_MAX_READERS, ValueCodec.IDENTIFYING_BYTES));
    } catch (PartitionCountMismatchException e) {
      throw new StartupException("KV_PARTITIONS", e.getMessage(), e);
    } catch (StorageCorruptException e) {
      throw new StartupException("KV_DATA_DIR", "LMDB store is damaged: " + e.getMessage(), e);
    } catch (NoSpaceException e) {
      throw new StartupException(
          "KV_DATA_DIR",
          e.getMessage() + "; free disk space, or lower KV_LMDB_INITIAL_MAP_BYTES for a new node",
          e);
    } catch (LinkageError e) {
      throw new StartupException(
          "lmdbjava.native.lib",
          "cannot load LMDB's native library ("
              + StartupException.describe(e)
              + "); name a working liblmdb with -Dlmdbjava.native.lib=PATH",
          e);
    } catch (RuntimeException e) {
      throw new StartupException(
          "KV_DATA_DIR",
          "cannot open LMDB in " + dir + " (" + StartupException.describe(e) + ")",
          e);
    }
  }

  private static OpLog openLog(
      NodeConfig config, DataDirectory dataDir, PrometheusMeterRegistry registry, long applied) {
    Path dir = dataDir.root().resolve("oplog");
    try {
      return OpLog.open(
          dir,
          new OpLogOptions(config.fsync(), config.segmentBytes(), config.fsyncInterval()),
          registry,
          applied);
    } catch (CorruptLogException e) {
      throw new StartupException(
          "KV_DATA_DIR",
          e.getMessage()
              + "; run `samza-kv repair` to cut the log there and list exactly what is lost",
          e);
    } catch (IOException e) {
      throw new StartupException(
          "KV_DATA_DIR",
          "cannot open the op log in " + dir + " (" + StartupException.describe(e) + ")",
          e);
    }
  }

  /** The node's alarms, each with a 0/1 gauge {@code kv_alarm{alarm="no_space"}}. */
  private static Alarms alarms(PrometheusMeterRegistry registry) {
    Alarms alarms = new Alarms();
    for (Alarms.Alarm alarm : Alarms.Alarm.values()) {
      Gauge.builder("kv.alarm", alarms, raised -> raised.isRaised(alarm) ? 1 : 0)
          .description("1 while the alarm is raised")
          .tag("alarm", alarm.label())
          .register(registry);
    }
    return alarms;
  }

  private static LocalStore.Options storeOptions(
      NodeConfig config, PrometheusMeterRegistry registry, Alarms alarms) {
    int readers = Math.max(4, 2 * Runtime.getRuntime().availableProcessors());
    return new LocalStore.Options(
        config.compression(),
        config.cacheBytes(),
        readers,
        CHECKPOINT_INTERVAL,
        registry,
        alarms,
        config.scrubInterval());
  }

  private static Future<Vertx> startVertx(
      NodeConfig config, String nodeId, PrometheusMeterRegistry registry) {
    MicrometerMetricsOptions metrics =
        new MicrometerMetricsOptions()
            .setEnabled(true)
            // The API times its routes itself (RouteMetrics), at a fraction of the cost.
            .addDisabledMetricsCategory(MetricsDomain.HTTP_SERVER)
            // With a clustered event bus, vertx-micrometer registers its handler gauge twice and
            // warns at every start; the bus carries no hot path worth that noise.
            .addDisabledMetricsCategory(MetricsDomain.EVENT_BUS);
    VertxOptions options = new VertxOptions().setMetricsOptions(metrics);
    options
        .getEventBusOptions()
        .setHost(config.busHost())
        .setPort(config.busPort())
        // Always set: left null, Vert.x would announce the bind host (0.0.0.0, say) or the whole
        // host:port of Hazelcast's public address as a host.
        .setClusterPublicHost(config.busPublicHost());
    if (config.busPublicPort() != 0) {
      options.getEventBusOptions().setClusterPublicPort(config.busPublicPort());
    }
    HazelcastClusterManager clusterManager =
        new HazelcastClusterManager(HazelcastSetup.memberConfig(config, nodeId));
    return Vertx.builder()
        .with(options)
        .withMetrics(new MicrometerMetricsFactory(registry))
        .withClusterManager(clusterManager)
        .buildClustered();
  }

  private static Vertx joined(Future<Vertx> clustering) {
    try {
      return await(clustering);
    } catch (RuntimeException e) {
      throw new StartupException(
          "KV_CLUSTER_PORT", "cannot join the cluster (" + rootMessage(e) + ")", e);
    }
  }

  private static Future<Void> closeIfStarted(AsyncResult<Vertx> started) {
    return started.succeeded() ? started.result().close() : Future.succeededFuture();
  }

  private static Node serve(
      NodeConfig config,
      DataDirectory dataDir,
      JvmMeters jvmMeters,
      Vertx vertx,
      LocalStore store,
      PrometheusMeterRegistry registry,
      Alarms alarms) {
    String nodeId = dataDir.nodeId();
    HazelcastInstance hazelcast =
        ((HazelcastClusterManager) ((io.vertx.core.internal.VertxInternal) vertx).clusterManager())
            .getHazelcastInstance();
    ClusterMembers members = new ClusterMembers(hazelcast);
    TableDirectory directory = openDirectory(config, dataDir, vertx, hazelcast);
    if (HazelcastSetup.usesCpSubsystem(config)) {
      CpMembership.start(vertx, hazelcast);
    }
    MemberReports reports = new MemberReports(hazelcast);
    NodeState state =
        new NodeState(nodeId, config.partitions(), members, directory, reports, alarms);
    Gauge.builder("kv.partitions.primary", state, NodeState::primaryPartitions)
        .description("partitions this node is primary for")
        .register(registry);
    Gauge.builder("kv.replication.lag.records", state, NodeState::replicationLag)
        .description("records the most lagging copy on this node is behind its primary")
        .register(registry);
    ReplicationVerticle replication =
        ReplicationVerticle.wire(
            vertx,
            nodeId,
            store,
            directory,
            reports,
            config.replicationTimeout(),
            config.partitions(),
            registry);
    LocalPartitions local = new LocalPartitions(store, config.maxValueBytes());
    KvRouter router = new KvRouter(vertx, directory, local, nodeId, config.partitions(), registry);
    LockService locks = new LockService(vertx, router);
    ApiRouter.Services services =
        new ApiRouter.Services(router, locks, state, registry, config.maxValueBytes(), store);

    List<String> deployments = new ArrayList<>();
    deployments.add(await(vertx.deployVerticle(replication)));
    int port = deployHttp(vertx, services, config, deployments);
    // As many instances as HTTP has, so forwarded requests spread over the event loops too.
    deployments.add(
        await(
            vertx.deployVerticle(
                () -> new ForwardedRequests(nodeId, directory, local),
                new DeploymentOptions().setInstances(config.httpInstances()))));
    deployments.add(await(vertx.deployVerticle(new KvBusVerticle(router, state))));
    deployments.add(await(vertx.deployVerticle(new TableBusVerticle(directory))));
    deployments.add(await(vertx.deployVerticle(new LocksHeldGauge(locks, registry))));
    members.publishHttpAddress(nodeId, config.httpPublicAddress(port));
    // The controller needs every member's report before the first table, and acts from then on;
    // /ready waits for the table and for every copy this node holds to be in sync.
    deployments.add(
        await(
            vertx.deployVerticle(
                new Controller(
                    hazelcast,
                    nodeId,
                    members,
                    reports,
                    directory,
                    config.partitions(),
                    config.replication(),
                    registry))));
    if (!HazelcastSetup.usesCpSubsystem(config)) {
      // Without the CP Subsystem the first table comes within a second; with it, only once three
      // members have joined, which a node started before the others must not wait for: it is
      // ready once the table arrives.
      await(firstTable(directory));
    }
    state.serving(true);
    LOG.log(
        Level.INFO,
        "node {0} ready {1,number,#} ms after JVM start: HTTP on {2}:{3,number,#}, data in {4}",
        nodeId,
        ManagementFactory.getRuntimeMXBean().getUptime(),
        config.httpHost(),
        port,
        dataDir.root().toAbsolutePath());
    return new Node(dataDir, jvmMeters, vertx, store, state, directory, deployments, port);
  }

  private static TableDirectory openDirectory(
      NodeConfig config, DataDirectory dataDir, Vertx vertx, HazelcastInstance hazelcast) {
    TableFile file = new TableFile(dataDir.root());
    try {
      return await(
          TableDirectory.open(
              vertx, TableStores.open(vertx, hazelcast, config), file, TABLE_POLL_INTERVAL));
    } catch (RuntimeException e) {
      throw new StartupException("KV_DATA_DIR", rootMessage(e), e);
    }
  }

  /**
   * Deploys one HTTP verticle on the configured port (the OS picks one for port 0), then the rest
   * on the port it got, so every instance shares one listening socket.
   */
  private static int deployHttp(
      Vertx vertx, ApiRouter.Services services, NodeConfig config, List<String> deployments) {
    HttpApiVerticle first = new HttpApiVerticle(services, config.httpHost(), config.httpPort());
    try {
      deployments.add(await(vertx.deployVerticle(first)));
    } catch (RuntimeException e) {
      if (!(rootCause(e) instanceof java.net.SocketException)) {
        throw e;
      }
      throw new StartupException(
          "KV_HTTP_PORT",
          "cannot serve HTTP on "
              + config.httpHost()
              + ":"
              + config.httpPort()
              + " ("
              + rootMessage(e)
              + ")",
          e);
    }
    int port = first.actualPort();
    if (config.httpInstances() > 1) {
      deployments.add(
          await(
              vertx.deployVerticle(
                  () -> new HttpApiVerticle(services, config.httpHost(), port),
                  new DeploymentOptions().setInstances(config.httpInstances() - 1))));
    }
    return port;
  }

  /** Completes once this member has adopted a partition table. */
  private static Future<Void> firstTable(TableDirectory directory) {
    Promise<Void> adopted = Promise.promise();
    directory.onChange(table -> adopted.tryComplete());
    if (directory.current() != null) {
      adopted.tryComplete();
    }
    return adopted.future();
  }

  public int httpPort() {
    return httpPort;
  }

  public Vertx vertx() {
    return vertx;
  }

  /**
   * Graceful stop: not ready, stop accepting and finish in-flight requests, finish and flush every
   * accepted write, leave the cluster, release the data directory.
   */
  public void stop() {
    LOG.log(Level.INFO, "stopping: finishing in-flight requests and writes");
    state.serving(false);
    try {
      for (String deployment : deployments) {
        await(vertx.undeploy(deployment));
      }
      await(directory.close());
      store.close();
      await(vertx.close());
      jvmMeters.close();
      dataDir.close();
      LOG.log(Level.INFO, "stopped: every accepted write is durable and applied");
    } catch (IOException e) {
      throw new IllegalStateException("stop failed: " + e.getMessage(), e);
    }
  }

  private static <T> T await(Future<T> future) {
    try {
      return future
          .toCompletionStage()
          .toCompletableFuture()
          .get(START_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof RuntimeException runtime
          ? runtime
          : new IllegalStateException(e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    } catch (TimeoutException e) {
      throw new IllegalStateException("timed out after " + START_TIMEOUT_SECONDS + " s", e);
    }
  }

  private static Throwable rootCause(Throwable error) {
    Throwable root = error;
    while (root.getCause() != null) {
      root = root.getCause();
    }
    return root;
  }

  private static String rootMessage(Throwable error) {
    Throwable root = rootCause(error);
    return root.getMessage() == null ? root.toString() : root.getMessage();
  }

  /**
   * Closes what a failed start opened, giving up after {@code timeout}: the caller exits either
   * way, and a cluster join that hangs must not hang the exit with it.
   */
  private static void closeWithin(Deque<AutoCloseable> opened, Duration timeout) {
    Thread cleanup = new Thread(() -> closeAll(opened), "kv-failed-start-cleanup");
    cleanup.setDaemon(true);
    cleanup.start();
    try {
      cleanup.join(timeout.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (cleanup.isAlive()) {
      LOG.log(Level.WARNING, "cleanup after a failed start did not finish within {0}", timeout);
    }
  }

  private static void closeAll(Deque<AutoCloseable> opened) {
    for (AutoCloseable resource : opened) {
      try {
        resource.close();
      } catch (Throwable e) {
        LOG.log(Level.WARNING, "cleanup after a failed start failed", e);
      }
    }
  }
}
