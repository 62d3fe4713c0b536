# gnuplot -e "data='sweep.tsv'; out='plot.png'" sweep.gp : throughput and p99 against connections
set terminal pngcairo size 1100,420 font "sans,10"
set output out
set datafile separator "\t"
set key top left
set logscale x 2
set grid
set multiplot layout 1,2
set title "requests/s against connections (wrk, same run)"
set xlabel "connections"
set ylabel "requests/s"
set format y "%.0s%c"
plot data using 2:(strcol(1) eq "get" ? $3 : 1/0) with linespoints title "GET in-memory ceiling", \
     data using 2:(strcol(1) eq "get" ? $4 : 1/0) with linespoints title "GET samza-kv", \
     data using 2:(strcol(1) eq "put" ? $3 : 1/0) with linespoints title "PUT in-memory ceiling", \
     data using 2:(strcol(1) eq "put" ? $4 : 1/0) with linespoints title "PUT samza-kv (fsync=always)"
set title "p99 latency against connections"
set ylabel "p99 (ms)"
set format y "%g"
set logscale y
plot data using 2:(strcol(1) eq "get" ? $5 : 1/0) with linespoints title "GET in-memory ceiling", \
     data using 2:(strcol(1) eq "get" ? $6 : 1/0) with linespoints title "GET samza-kv", \
     data using 2:(strcol(1) eq "put" ? $5 : 1/0) with linespoints title "PUT in-memory ceiling", \
     data using 2:(strcol(1) eq "put" ? $6 : 1/0) with linespoints title "PUT samza-kv (fsync=always)"
unset multiplot
