package io.samzakv.process;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/** Starts node processes for one test and kills whatever is still running after it. */
final class NodeProcesses implements AfterEachCallback {
  private final List<KvProcess> started = new ArrayList<>();

  KvProcess start(Path dir, Map<String, String> env, String... args) {
    return track(KvProcess.start(dir, env, args));
  }

  /** Takes a process started some other way into this test's care. */
  KvProcess track(KvProcess process) {
    started.add(process);
    return process;
  }

  @Override
  public void afterEach(ExtensionContext context) {
    started.forEach(KvProcess::close);
    started.clear();
  }
}
