#!/bin/bash
# CPU time per request of a running server, a figure that survives a noisy shared machine:
#     bench/cpu_per_request.sh PGID LABEL URL [wrk args, e.g. -s bench/post.lua]
# PGID: the server's process group (start it with setsid, pinned: taskset -c 0). wrk runs on CPU 1,
# 32 connections, a 2 s warm-up, then 6 s; CPU = utime + stime of every process in the group.
pgid=$1; label=$2; url=$3; shift 3
pids=$(pgrep -g "$pgid" | tr '\n' ' ')
tick=$(getconf CLK_TCK)
cpu() { local t=0; for p in $pids; do s=($(cut -d' ' -f14,15 "/proc/$p/stat")); t=$((t + s[0] + s[1])); done; echo $t; }
UA="Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Safari/537.36"
taskset -c 1 wrk -t1 -c32 -d2s -H "User-Agent: $UA" "$@" "$url" >/dev/null
before=$(cpu)
out=$(taskset -c 1 wrk -t1 -c32 -d6s -H "User-Agent: $UA" "$@" "$url")
after=$(cpu)
n=$(echo "$out" | awk '/requests in/{print $1}')
rps=$(echo "$out" | awk '/Requests\/sec/{print $2}')
echo "$label: $rps req/s, $(python3 -c "print(round(($after - $before) / $tick * 1000 / $n, 3))") ms CPU/request"
