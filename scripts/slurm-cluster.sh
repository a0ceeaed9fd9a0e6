#!/usr/bin/env bash
# A one-node Slurm cluster on 127.0.0.1 for the launcher tests and CI (Debian's slurmctld, slurmd and
# munge, from scripts/ensure-slurm.sh), all of its state, spool, sockets and logs under one directory.
#   scripts/slurm-cluster.sh start DIR   # writes DIR/slurm.conf, starts munged, slurmctld and slurmd; prints SLURM_CONF=...
#   scripts/slurm-cluster.sh stop DIR    # stops the three daemons it started (by their pid files)
# Runs as root (slurmd starts the jobs as the submitting user). Clients find the cluster through
# SLURM_CONF=DIR/slurm.conf.
set -euo pipefail
action="${1:-}"; dir="${2:-}"
if [ -z "$action" ] || [ -z "$dir" ]; then echo "usage: $0 start|stop DIR" >&2; exit 2; fi
mkdir -p "$dir"
dir="$(cd "$dir" && pwd)"
conf="$dir/slurm.conf"

stop_pidfile() {
  local f="$1"
  if [ -f "$f" ]; then
    local pid; pid="$(cat "$f" 2>/dev/null || true)"
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -9 "$pid" 2>/dev/null || true
    fi
    rm -f "$f"
  fi
}

if [ "$action" = "stop" ]; then
  stop_pidfile "$dir/slurmd.pid"
  stop_pidfile "$dir/slurmctld.pid"
  stop_pidfile "$dir/munged.pid"
  exit 0
fi
if [ "$action" != "start" ]; then echo "usage: $0 start|stop DIR" >&2; exit 2; fi
if [ "$(id -u)" != "0" ]; then echo "$0: the test cluster runs as root (slurmd starts jobs as their user)" >&2; exit 2; fi

mkdir -p "$dir/state" "$dir/spool" "$dir/munge"
chmod 700 "$dir/munge"
# A key of this cluster's own, so nothing outside DIR is read or changed.
if [ ! -s "$dir/munge/munge.key" ]; then dd if=/dev/urandom of="$dir/munge/munge.key" bs=1024 count=1 status=none; fi
chmod 600 "$dir/munge/munge.key"
# SLURM_TEST_CPUS: a node of more CPUs than this machine has (its slurm.conf believed, not the
# hardware), so that a 4-task array runs all at once on a 2-core CI box; the default is the truth.
cpus="${SLURM_TEST_CPUS:-$(nproc)}"
overrides=""
if [ -n "${SLURM_TEST_CPUS:-}" ]; then overrides="SlurmdParameters=config_overrides"; fi
mem_mb="$(awk '/MemTotal/ {print int($2 / 1024 / 2)}' /proc/meminfo)"
# Free loopback ports unless given, so that two clusters (or a real Slurm's 6817/6818) never collide.
free_port() { node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"; }
ctld_port="${SLURM_TEST_CTLD_PORT:-$(free_port)}"
slurmd_port="${SLURM_TEST_SLURMD_PORT:-$(free_port)}"
cat > "$conf" <<CONF
ClusterName=referee-test
SlurmctldHost=localhost(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$dir/munge/munge.socket
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/slurmctld.log
SlurmdLogFile=$dir/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
MpiDefault=none
ReturnToService=2
JobCompType=jobcomp/none
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
SlurmctldTimeout=30
SlurmdTimeout=30
InactiveLimit=0
MinJobAge=300
KillWait=5
$overrides
NodeName=localhost NodeAddr=127.0.0.1 NodeHostname=localhost CPUs=$cpus RealMemory=$mem_mb State=UNKNOWN
PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP OverSubscribe=YES
CONF

# Already up (a second start is a no-op).
if [ -f "$dir/slurmctld.pid" ] && kill -0 "$(cat "$dir/slurmctld.pid")" 2>/dev/null; then echo "SLURM_CONF=$conf"; exit 0; fi

munged --force --socket="$dir/munge/munge.socket" --key-file="$dir/munge/munge.key" \
  --pid-file="$dir/munged.pid" --log-file="$dir/munged.log" --seed-file="$dir/munge/munged.seed"
export SLURM_CONF="$conf"
slurmctld -i -f "$conf"
slurmd -f "$conf" -N localhost
# Ready when the node is idle (slurmd registered with slurmctld).
for _ in $(seq 1 100); do
  if sinfo -h -N -o '%t' 2>/dev/null | grep -qx 'idle'; then echo "SLURM_CONF=$conf"; exit 0; fi
  sleep 0.2
done
echo "$0: the cluster did not come up; see $dir/slurmctld.log and $dir/slurmd.log" >&2
sinfo -N 2>&1 | head -5 >&2 || true
exit 1
