# The benchmark chart: each variant's throughput as a ratio to plain Asio
# measured in the same run (1.0 = as fast; higher is better).
# gnuplot -e "data='latest.dat'; out='latest.png'" chart.gp
set terminal png size 1100,600 font ",10" noenhanced
set output out
set title "Boost.AsyncLocal: throughput per hop, ratio to plain Asio in the same run"
set style data histograms
set style fill solid 0.8 border -1
set boxwidth 0.8
set xtics rotate by -40 scale 0
set ylabel "ratio to plain Asio (higher is better)"
set yrange [0:1.2]
set grid ytics
unset key
plot data using 2:xtic(1) linecolor rgb "#3a6ea5", 1 with lines dashtype 2 linecolor rgb "#888888"
