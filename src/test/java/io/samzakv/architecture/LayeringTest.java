package io.samzakv.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/** The layering the code map in ARCHITECTURE.md describes, checked on every build. */
@AnalyzeClasses(packages = "io.samzakv", importOptions = ImportOption.DoNotIncludeTests.class)
class LayeringTest {

  @ArchTest
  static final ArchRule storageContractIsFreeOfLmdb =
      noClasses()
          .that()
          .resideInAPackage("io.samzakv.storage")
          .should()
          .dependOnClassesThat()
          .resideInAPackage("org.lmdbjava..");

  @ArchTest
  static final ArchRule onlyTheLmdbEngineTouchesLmdb =
      noClasses()
          .that()
          .resideOutsideOfPackage("io.samzakv.storage.lmdb")
          .should()
          .dependOnClassesThat()
          .resideInAPackage("org.lmdbjava..");

  @ArchTest
  static final ArchRule apiIsFreeOfTheOpLog =
      noClasses()
          .that()
          .resideInAPackage("io.samzakv.api..")
          .should()
          .dependOnClassesThat()
          .resideInAPackage("io.samzakv.oplog..");

  @ArchTest
  static final ArchRule apiIsFreeOfStorageAndTheStore =
      noClasses()
          .that()
          .resideInAPackage("io.samzakv.api..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage("io.samzakv.storage..", "io.samzakv.store..");

  @ArchTest
  static final ArchRule lowerLayersDoNotReachUp =
      noClasses()
          .that()
          .resideInAnyPackage(
              "io.samzakv.storage..",
              "io.samzakv.oplog..",
              "io.samzakv.codec..",
              "io.samzakv.disk..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(
              "io.samzakv.api..",
              "io.samzakv.routing..",
              "io.samzakv.store..",
              "io.samzakv.node..",
              "io.samzakv.cluster..");

  @ArchTest
  static final ArchRule onlyTheNodeWiresEverything =
      noClasses()
          .that()
          .resideOutsideOfPackage("io.samzakv.node..")
          .should()
          .dependOnClassesThat()
          .resideInAPackage("io.samzakv.node..");
}
