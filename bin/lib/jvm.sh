# jvm_options ROOT: the options in ROOT/conf/jvm.options, one per line, without comments or blanks.
# Sourced by bin/samza-kv (the node) and bin/lib/bench.sh (the ceilings, so both sides of a ratio
# run on the same JVM settings).
jvm_options() {
  sed -e 's/#.*//' -e 's/^[[:space:]]*//' -e 's/[[:space:]]*$//' -e '/^$/d' "$1/conf/jvm.options"
}
