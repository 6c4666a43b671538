package dev.facerender.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.facerender.io.DemoDataset;
import dev.facerender.video.FrameRate;
import dev.facerender.video.mp4.Mp4Reader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * spark-submit of the shaded jar to a real standalone cluster on 127.0.0.1: a Master and two
 * Workers started from the Maven jars (a folder whose jars/ links them is SPARK_HOME, as in an
 * image), each Worker finding one (fake) GPU through conf/getGpusResources.sh and the cluster
 * configured by conf/spark-defaults.gpu-cluster.conf. One executor JVM is killed while it runs a
 * render task; the job must still end with every input frame exactly once in frames/ or errors/.
 */
class StandaloneClusterIT {
  private static final int CLIPS = 4;
  private static final int FRAMES = 48;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private final Path work = Path.of(System.getProperty("facerender.workDir"));
  private final Path sparkHome = work.resolve("spark-home");
  private final Path repo = GpuDiscoveryScriptTest.repoRoot();
  private final List<String> jvmOptions = jvmOptions(repo);

  /**
   * The build's test JVM flags (compiler and GC, see the pom's test.jvm.flags), passed on to every
   * JVM of the cluster: six JVMs share this machine's cores.
   */
  private static final List<String> TEST_JVM_FLAGS =
      ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
          .filter(f -> f.startsWith("-XX:TieredStopAtLevel") || f.equals("-XX:+UseSerialGC"))
          .toList();

  private final List<Process> started = new ArrayList<>();

  @AfterEach
  void stopCluster() {
    // Executors first (children of the Workers), then the daemons; only what this test started.
    for (Process process : started) {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
    }
  }

  @Test
  @Timeout(value = 6, unit = TimeUnit.MINUTES)
  void anExecutorKilledMidRenderLosesAndDuplicatesNoFrame() throws Exception {
    deleteTree(work);
    Files.createDirectories(work);
    layOutSparkHome();

    int masterPort = freePort();
    int masterUi = freePort();
    String master = "spark://127.0.0.1:" + masterPort;
    Process masterProcess =
        daemon(
            "master",
            Map.of(),
            "org.apache.spark.deploy.master.Master",
            "--host",
            "127.0.0.1",
            "--port",
            String.valueOf(masterPort),
            "--webui-port",
            String.valueOf(masterUi));
    // Worker w sees one GPU, index w - 1: executors it launches must render on that index.
    Map<Path, Integer> workDirGpu = new HashMap<>();
    for (int w = 1; w <= 2; w++) {
      int gpu = w - 1;
      Path fakeBin = Files.createDirectories(work.resolve("worker-" + w + "-bin"));
      Path nvidiaSmi = fakeBin.resolve("nvidia-smi");
      Files.writeString(nvidiaSmi, "#!/bin/sh\necho " + gpu + "\n");
      Files.setPosixFilePermissions(nvidiaSmi, PosixFilePermissions.fromString("rwxr-xr-x"));
      Path workerConf = work.resolve("worker-" + w + ".conf");
      Files.writeString(
          workerConf,
          "spark.worker.resource.gpu.amount 1\n"
              + "spark.worker.resource.gpu.discoveryScript "
              + repo.resolve("conf/getGpusResources.sh")
              + "\n");
      Path workDir = Files.createDirectories(work.resolve("worker-" + w));
      workDirGpu.put(workDir, gpu);
      daemon(
          "worker-" + w,
          Map.of("PATH", fakeBin + ":" + System.getenv("PATH")),
          "org.apache.spark.deploy.worker.Worker",
          "--host",
          "127.0.0.1",
          "--cores",
          "1",
          "--memory",
          "1536m",
          "--webui-port",
          String.valueOf(freePort()),
          "--work-dir",
          workDir.toString(),
          "--properties-file",
          workerConf.toString(),
          master);
    }
    // The demo data is written while the daemons start.
    Path input = work.resolve("input");
    generate(input);
    awaitWorkers(masterUi, 2, masterProcess);

    // The job file as committed, plus a simulated GPU so devices show which address each task got.
    Path jobConf = work.resolve("facerender.conf");
    Files.writeString(
        jobConf,
        Files.readString(repo.resolve("conf/facerender.conf"))
            + "\nspark.facerender.simulateGpu 16GiB\n");
    int driverUi = freePort();
    Path eventLog = Files.createDirectories(work.resolve("event-log"));
    Path out = work.resolve("output");
    Map<String, String> conf = new LinkedHashMap<>();
    // This machine's sizes in place of the template's GPU-node sizes; the CPU natives.
    conf.put("spark.executor.memory", "1g");
    conf.put("spark.executor.memoryOverhead", "512m");
    conf.put("spark.executor.cores", "1");
    conf.put("spark.task.resource.gpu.amount", "1");
    conf.put(
        "spark.executor.extraJavaOptions",
        String.join(" ", TEST_JVM_FLAGS) + " -Djava.awt.headless=true");
    conf.put("spark.cores.max", "2");
    conf.put("spark.driver.host", "127.0.0.1");
    conf.put("spark.ui.port", String.valueOf(driverUi));
    // One plain JSON-lines event log to read back (Spark 4 rolls and compresses it by default).
    conf.put("spark.eventLog.enabled", "true");
    conf.put("spark.eventLog.dir", eventLog.toUri().toString());
    conf.put("spark.eventLog.compress", "false");
    conf.put("spark.eventLog.rolling.enabled", "false");
    // PNG frames and an MP4 per clip: both must survive the lost executor exactly once.
    conf.put("spark.facerender.video", "mp4");
    List<String> submit = new ArrayList<>(java());
    submit.addAll(List.of("-Xmx768m", "org.apache.spark.deploy.SparkSubmit"));
    submit.addAll(List.of("--master", master, "--deploy-mode", "client"));
    submit.addAll(List.of("--properties-file", jobConf.toString(), "--load-spark-defaults"));
    conf.forEach((key, value) -> submit.addAll(List.of("--conf", key + "=" + value)));
    submit.add(System.getProperty("facerender.appJar"));
    submit.addAll(List.of("render", "--out", out.toString()));
    submit.addAll(List.of("--frames", input.resolve("frames").toString()));
    submit.addAll(List.of("--sources", input.resolve("sources").toString()));
    Process driver = start("driver", Map.of(), submit);

    KilledExecutor killed = killAnExecutorRunningARenderTask(driverUi, CLIPS, driver);

    assertThat(driver.waitFor(4, TimeUnit.MINUTES)).as("spark-submit finished").isTrue();
    assertThat(driver.exitValue()).as(log("driver")).isZero();

    assertEveryFrameExactlyOnce(input, out, workDirGpu, killed);
    String events;
    try (Stream<Path> files = Files.list(eventLog)) {
      Path file = files.findFirst().orElseThrow();
      events = Files.readString(file);
    }
    assertThat(events.lines())
        .as("a task was running on executor %s when it died", killed.executorId())
        .anyMatch(
            line ->
                line.contains("\"Reason\":\"ExecutorLostFailure\"")
                    && line.contains("\"Executor ID\":\"" + killed.executorId() + "\""));
  }

  /** What the test killed. */
  record KilledExecutor(String executorId, long pid) {}

  private KilledExecutor killAnExecutorRunningARenderTask(int driverUi, int renderTasks, Process d)
      throws Exception {
    String api = "http://127.0.0.1:" + driverUi + "/api/v1/applications";
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
    while (System.nanoTime() < deadline) {
      assertThat(d.isAlive()).as("driver still running: " + log("driver")).isTrue();
      Optional<JsonNode> apps = get(api);
      if (apps.isPresent() && apps.get().size() > 0) {
        String app = apps.get().get(0).get("id").asText();
        // The render stage is the only one with one task per clip (the reads have one file each,
        // the counts one task): adaptive execution must not have merged its partitions.
        boolean rendering = false;
        for (JsonNode stage :
            get(api + "/" + app + "/stages?status=active").orElse(JSON.nullNode())) {
          rendering |= stage.get("numTasks").asInt() == renderTasks;
        }
        if (rendering) {
          for (JsonNode executor : get(api + "/" + app + "/executors").orElse(JSON.nullNode())) {
            String id = executor.get("id").asText();
            if (!id.equals("driver") && executor.get("activeTasks").asInt() > 0) {
              Optional<ProcessHandle> jvm = executorJvm(app, id);
              if (jvm.isPresent()) {
                jvm.get().destroyForcibly();
                assertThat(jvm.get().onExit().get(30, TimeUnit.SECONDS).isAlive()).isFalse();
                return new KilledExecutor(id, jvm.get().pid());
              }
            }
          }
        }
      }
      Thread.sleep(100);
    }
    throw new AssertionError("no executor ran a render task within 3 minutes: " + log("driver"));
  }

  /** The CoarseGrainedExecutorBackend JVM of {@code executorId}, among the Workers' children. */
  private Optional<ProcessHandle> executorJvm(String app, String executorId) {
    return started.stream()
        .flatMap(Process::descendants)
        .filter(
            p -> {
              List<String> args = Arrays.asList(p.info().arguments().orElse(new String[0]));
              int id = args.indexOf("--executor-id");
              return args.contains("org.apache.spark.executor.CoarseGrainedExecutorBackend")
                  && args.contains(app)
                  && id >= 0
                  && id + 1 < args.size()
                  && args.get(id + 1).equals(executorId);
            })
        .findFirst();
  }

  private void assertEveryFrameExactlyOnce(
      Path input, Path out, Map<Path, Integer> workDirGpu, KilledExecutor killed)
      throws IOException {
    SparkSession spark = localSpark();
    try {
      List<String> inputKeys = keys(spark.read().parquet(input.resolve("frames").toString()));
      List<String> rendered = keys(spark.read().parquet(out.resolve("frames").toString()));
      List<String> rejected = keys(spark.read().parquet(out.resolve("errors").toString()));
      assertThat(inputKeys).hasSize(CLIPS * FRAMES).doesNotHaveDuplicates();
      List<String> all = new ArrayList<>(rendered);
      all.addAll(rejected);
      assertThat(all).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(inputKeys);
      assertThat(rejected).isEmpty();
      assertEveryClipHasExactlyOneWholeVideo(spark, out);

      // Each batch was rendered on the GPU address Spark gave its executor's Worker.
      Map<String, Integer> executorGpu = new HashMap<>();
      for (Map.Entry<Path, Integer> entry : workDirGpu.entrySet()) {
        try (Stream<Path> apps = Files.list(entry.getKey())) {
          for (Path app : apps.toList()) {
            try (Stream<Path> executors = Files.list(app)) {
              executors.forEach(e -> executorGpu.put(e.getFileName().toString(), entry.getValue()));
            }
          }
        }
      }
      assertThat(executorGpu).containsKey(killed.executorId()).hasSizeGreaterThanOrEqualTo(2);
      List<Row> metrics = spark.read().parquet(out.resolve("metrics").toString()).collectAsList();
      assertThat(metrics.stream().mapToLong(r -> r.<Integer>getAs("frames")).sum())
          .isEqualTo(CLIPS * FRAMES);
      for (Row batch : metrics) {
        String executor = batch.getAs("executor");
        assertThat(executorGpu).containsKey(executor);
        assertThat(batch.<String>getAs("device"))
            .as("device of a batch on executor %s", executor)
            .isEqualTo("sim-gpu:" + executorGpu.get(executor));
      }
    } finally {
      spark.stop();
    }
  }

  /** One MP4 per clip, each whole (every frame, decodable), nothing staged left behind. */
  private static void assertEveryClipHasExactlyOneWholeVideo(SparkSession spark, Path out)
      throws IOException {
    List<Row> manifest =
        spark.read().parquet(out.resolve("videos_manifest").toString()).collectAsList();
    assertThat(manifest.stream().map(r -> r.<String>getAs("clip_id")))
        .hasSize(CLIPS)
        .doesNotHaveDuplicates();
    try (Stream<Path> files = Files.list(out.resolve("videos"))) {
      assertThat(files.map(f -> f.getFileName().toString()))
          .hasSize(CLIPS)
          .allSatisfy(name -> assertThat(name).endsWith(".mp4"));
    }
    for (Row video : manifest) {
      Mp4Reader.Info info = Mp4Reader.read(out.resolve(video.<String>getAs("file")), null);
      assertThat(info.decodedFrames()).isEqualTo(FRAMES);
      assertThat(info.frameRate()).isEqualTo(new FrameRate(25, 1));
    }
  }

  private static List<String> keys(org.apache.spark.sql.Dataset<Row> rows) {
    return rows.select("clip_id", "frame_index").collectAsList().stream()
        .map(r -> r.getString(0) + "#" + r.get(1))
        .toList();
  }

  private static SparkSession localSpark() {
    return SparkSession.builder()
        .master("local[1]")
        .appName("standalone-cluster-it")
        .config("spark.ui.enabled", "false")
        .getOrCreate();
  }

  private void generate(Path input) {
    SparkSession spark = localSpark();
    try {
      // local[1]: one Parquet file per table, so the render stage is the only one with 4 tasks.
      DemoDataset.generate(spark, input.toString(), CLIPS, FRAMES, 128, 1);
    } finally {
      spark.stop();
    }
  }

  /** SPARK_HOME as an image would have it: Spark's jars and the natives in jars/, conf/. */
  private void layOutSparkHome() throws IOException {
    Path jars = Files.createDirectories(sparkHome.resolve("jars"));
    List<Path> links = new ArrayList<>();
    for (String jar :
        Files.readString(Path.of(System.getProperty("facerender.sparkClasspath")))
            .strip()
            .split(":")) {
      links.add(Path.of(jar));
    }
    try (Stream<Path> natives = Files.list(Path.of(System.getProperty("facerender.natives")))) {
      natives.forEach(links::add);
    }
    for (Path jar : links) {
      Files.createSymbolicLink(jars.resolve(jar.getFileName()), jar);
    }
    // The launcher's build-directory check: without it, executors fail to start.
    Files.writeString(sparkHome.resolve("RELEASE"), "Spark 4.1.3 (Maven jars)\n");
    Path conf = Files.createDirectories(sparkHome.resolve("conf"));
    Files.copy(repo.resolve("conf/log4j2.properties"), conf.resolve("log4j2.properties"));
    Files.copy(
        repo.resolve("conf/spark-defaults.gpu-cluster.conf"), conf.resolve("spark-defaults.conf"));
  }

  private List<String> java() {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions);
    command.addAll(TEST_JVM_FLAGS);
    command.add("-cp");
    command.add(sparkHome.resolve("conf") + ":" + sparkHome.resolve("jars") + "/*");
    return command;
  }

  private Process daemon(String name, Map<String, String> env, String mainClass, String... args)
      throws IOException {
    List<String> command = new ArrayList<>(java());
    command.add("-Xmx256m");
    command.add(mainClass);
    command.addAll(List.of(args));
    return start(name, env, command);
  }

  private Process start(String name, Map<String, String> env, List<String> command)
      throws IOException {
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().put("SPARK_HOME", sparkHome.toString());
    // Spark's launcher looks for a source build's directories unless it is told the version.
    builder.environment().put("SPARK_SCALA_VERSION", "2.13");
    builder.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
    builder.environment().put("SPARK_CONF_DIR", sparkHome.resolve("conf").toString());
    builder.environment().putAll(env);
    builder.redirectErrorStream(true).redirectOutput(work.resolve(name + ".log").toFile());
    Process process = builder.start();
    started.add(process);
    return process;
  }

  private String log(String name) {
    try {
      String text = Files.readString(work.resolve(name + ".log"));
      return name + " log (last 4000 chars):\n" + text.substring(Math.max(0, text.length() - 4000));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void awaitWorkers(int masterUi, int count, Process masterProcess) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    while (System.nanoTime() < deadline) {
      assertThat(masterProcess.isAlive()).as(log("master")).isTrue();
      Optional<JsonNode> state = get("http://127.0.0.1:" + masterUi + "/json/");
      if (state.isPresent()) {
        int alive = 0;
        for (JsonNode worker : state.get().get("workers")) {
          if (worker.get("state").asText().equals("ALIVE")
              && worker.path("resources").path("gpu").path("addresses").size() == 1) {
            alive++;
          }
        }
        if (alive == count) {
          return;
        }
      }
      Thread.sleep(250);
    }
    throw new AssertionError(
        "workers did not register with one GPU each: " + log("worker-1") + log("worker-2"));
  }

  private static Optional<JsonNode> get(String url) throws InterruptedException {
    try {
      HttpResponse<String> response =
          HTTP.send(
              HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
              HttpResponse.BodyHandlers.ofString());
      return response.statusCode() == 200
          ? Optional.of(JSON.readTree(response.body()))
          : Optional.empty();
    } catch (IOException e) {
      // Not up yet, or already gone.
      return Optional.empty();
    }
  }

  private static List<String> jvmOptions(Path repo) {
    try {
      return Files.readAllLines(repo.resolve("conf/jvm-options")).stream()
          .map(String::strip)
          .filter(l -> !l.isEmpty() && !l.startsWith("#"))
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
