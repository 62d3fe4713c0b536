/**
 * JMH micro-benchmarks of the parts under the request path: the LMDB engine (get, put, scan) and
 * the value codec. Build and run them with {@code mvn -Pjmh -DskipTests package && java -jar
 * target/samza-kv-benchmarks.jar}; results and how to read them are in BENCHMARKS.md.
 *
 * <p>All of them live in this one package rather than next to what they measure: they use only the
 * public API of each subject, as the node's own wiring does, so a benchmark can never lean on a
 * package-private shortcut the real path does not take; and {@code io.samzakv.bench} already names
 * the wrk baseline server in the test sources.
 *
 * <p>Each benchmark extends {@link io.samzakv.jmh.KvBenchmark} for the shared run settings; state
 * that several need (a preloaded engine, scratch directories, value bytes) is in {@link
 * io.samzakv.jmh.PreloadedStore}, {@link io.samzakv.jmh.Scratch} and {@link io.samzakv.jmh.Values}.
 */
package io.samzakv.jmh;
