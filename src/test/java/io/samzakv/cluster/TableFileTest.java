package io.samzakv.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TableFileTest {
  @TempDir Path dataDir;

  private static PartitionTable table(long epoch) {
    return new PartitionTable(
        epoch,
        2,
        List.of(
            new PartitionAssignment("a", epoch, List.of("b"), List.of("a", "b")),
            new PartitionAssignment(null, 1, List.of("a"), List.of())));
  }

  @Test
  void aMemberThatNeverSavedATableReadsNone() throws IOException {
    assertThat(new TableFile(dataDir).read()).isNull();
  }

  @Test
  void theSavedTableReadsBackEqualAndTheNewestWins() throws IOException {
    TableFile file = new TableFile(dataDir);
    file.write(table(3));
    file.write(table(4));

    assertThat(new TableFile(dataDir).read()).isEqualTo(table(4));
    assertThat(file.path()).isEqualTo(dataDir.resolve("cluster").resolve("table.json"));
  }

  @Test
  void aTemporaryFileLeftByACrashIsIgnoredAndOverwritten() throws IOException {
    TableFile file = new TableFile(dataDir);
    file.write(table(5));
    Path leftover = file.path().resolveSibling("table.json.tmp");
    Files.writeString(leftover, "{\"epoch\": 6, \"partitions\": [ torn");

    assertThat(file.read()).isEqualTo(table(5));
    file.write(table(7));
    assertThat(file.read()).isEqualTo(table(7));
  }

  @Test
  void aDamagedFileIsAnErrorNamingTheFile() throws IOException {
    TableFile file = new TableFile(dataDir);
    file.write(table(1));
    Files.writeString(file.path(), "{\"epoch\": 2, \"partit");

    assertThatThrownBy(file::read)
        .isInstanceOf(IOException.class)
        .hasMessageContaining(file.path().toString())
        .hasMessageContaining("damaged");
  }
}
