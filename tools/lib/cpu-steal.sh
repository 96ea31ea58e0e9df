# Sourced by the bench scripts: how much CPU time the hypervisor took (steal) while a command ran,
# from /proc/stat, so figures measured on a host that lost CPU time can be told apart.
#   mark=$(cpu_ticks); ...; steal_pct_since "$mark"   -> e.g. "12.4" (percent of all CPU time)
cpu_ticks() {   # "total steal" in clock ticks, summed over all CPUs
  awk '/^cpu /{t=0; for (i=2; i<=NF; i++) t+=$i; print t, $9; exit}' /proc/stat
}
steal_pct_since() {
  local t0 s0 t1 s1
  read -r t0 s0 <<<"$1"
  read -r t1 s1 <<<"$(cpu_ticks)"
  awk -v dt=$((t1 - t0)) -v ds=$((s1 - s0)) 'BEGIN { printf "%.1f", (dt > 0 ? 100 * ds / dt : 0) }'
}
