# Sourced by bench/eval-mail.sh and bench/bench-peers.sh: start and stop
# private, offline instances of the peer filters (rspamd 3.4 and
# SpamAssassin 4 from Debian) in a temporary directory, on loopback ports
# chosen free at start, and read their CPU time from /proc.
#
# Offline means: no DNS, no Redis, no network rules. rspamd gets a config
# directory of its own (local.d/override.d over /etc/rspamd) that points
# its resolver at a closed loopback port with a short timeout and disables
# every module that needs the network or a Redis server (RBLs, SURBL, SPF,
# DKIM, DMARC, ARC, ASN, MX checks, fuzzy, DCC, neural, reputation,
# ratelimit, greylisting, history, phishtank) and the envelope checks of
# hfilter (HELO, client hostname, From-domain resolution), which on stored
# mail only measure that DNS is missing. Bayes has no Redis and is
# therefore off. What stays is rspamd's local content analysis: regexp
# rules, MIME, headers, URLs and its phishing module (anchor text vs link).
# SpamAssassin runs as spamd --local (no DNS or network tests) with a site
# config copied from /etc/spamassassin plus "use_bayes 0", no user config.
# Both use the rules the Debian packages ship (no rule updates offline).
#
# Every process started here is recorded by PID and stopped by PID in
# peers_stop_all, which callers put in their EXIT trap.
#
# Requires: rspamd, rspamc, spamd, spamc (debian-packages.txt), python3.

PEERS_RSPAMD_PID=""
PEERS_SPAMD_PID=""
PEERS_RSPAMD_PORT=""
PEERS_SPAMD_PORT=""

peers_have_rspamd() { command -v rspamd >/dev/null && command -v rspamc >/dev/null; }
peers_have_spamd() { command -v spamd >/dev/null && command -v spamc >/dev/null; }

# A TCP port free on 127.0.0.1 now (the kernel picks it).
peers_free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# CPU seconds (user+system) used so far by the given PIDs, from
# /proc/PID/stat fields 14 and 15 (clock ticks).
peers_cpu_seconds() {
  python3 - "$@" <<'PY'
import os, sys
hz = os.sysconf("SC_CLK_TCK"); t = 0
for pid in sys.argv[1:]:
    try:
        s = open(f"/proc/{pid}/stat").read()
    except OSError:
        continue
    f = s[s.rindex(")") + 2:].split()
    t += int(f[11]) + int(f[12])
print(f"{t / hz:.2f}")
PY
}

# Children of a PID (one level).
peers_children() {
  local pid=$1
  cat /proc/"$pid"/task/*/children 2>/dev/null | tr ' ' '\n' | grep . || true
}

# peers_rspamd_start DIR [WORKERS]: a private rspamd with WORKERS normal
# workers (default 1) in DIR/rspamd; sets PEERS_RSPAMD_PORT and
# PEERS_RSPAMD_PID; returns once its Hyperscan database is loaded (before
# that rspamd falls back to slower PCRE matching) or after 180 s.
peers_rspamd_start() {
  local dir=$1/rspamd workers=${2:-1} m user group
  mkdir -p "$dir/etc/local.d" "$dir/etc/override.d" "$dir/db" "$dir/run" "$dir/log"
  PEERS_RSPAMD_PORT=$(peers_free_port)
  # compiled Hyperscan databases are kept between runs (compiling them takes
  # a minute of CPU); rspamd checks that a cached one matches its rules
  local hs_cache=${PEERS_HS_CACHE:-${TMPDIR:-/tmp}/sesguard-bench-rspamd-hs.$(id -u)}
  mkdir -p "$hs_cache"
  local ctl_port
  ctl_port=$(peers_free_port)
  cat >"$dir/etc/local.d/options.inc" <<EOF
dns {
  nameserver = ["127.0.0.1:1"];
  timeout = 0.1s;
  retransmits = 0;
}
control_socket = "$dir/db/rspamd.sock mode=0600";
tempdir = "$dir/run";
hs_cache_dir = "$hs_cache";
EOF
  cat >"$dir/etc/override.d/worker-normal.inc" <<EOF
bind_socket = "127.0.0.1:$PEERS_RSPAMD_PORT";
count = $workers;
task_timeout = 60s;
EOF
  cat >"$dir/etc/override.d/worker-controller.inc" <<EOF
bind_socket = "127.0.0.1:$ctl_port";
EOF
  echo 'enabled = false;' >"$dir/etc/override.d/worker-proxy.inc"
  echo 'enabled = false;' >"$dir/etc/override.d/worker-fuzzy.inc"
  for m in rbl surbl spf dkim dmarc arc asn emails mx_check dcc fuzzy_check \
    neural redis ratelimit replies reputation greylist history_redis \
    url_redirector external_services antivirus rspamd_update clickhouse \
    elastic metadata_exporter metric_exporter p0f bimi dkim_signing spamtrap \
    aws_s3 external_relay; do
    echo 'enabled = false;' >"$dir/etc/local.d/$m.conf"
  done
  cat >"$dir/etc/local.d/hfilter.conf" <<'EOF'
helo_enabled = false;
hostname_enabled = false;
from_enabled = false;
rcpt_enabled = false;
mid_enabled = false;
url_enabled = true;
EOF
  cat >"$dir/etc/local.d/phishing.conf" <<'EOF'
openphish_enabled = false;
phishtank_enabled = false;
EOF
  # rspamd refuses to run its workers as root; Debian's package makes _rspamd
  user=$(id -un)
  group=$(id -gn)
  if [ "$(id -u)" -eq 0 ]; then
    user=_rspamd
    group=_rspamd
    chown -R "$user:$group" "$dir" "$hs_cache"
  fi
  rspamd -f -u "$user" -g "$group" -c /etc/rspamd/rspamd.conf \
    -p "$dir/run/rspamd.pid" \
    --var "LOCAL_CONFDIR=$dir/etc" --var "DBDIR=$dir/db" \
    --var "RUNDIR=$dir/run" --var "LOGDIR=$dir/log" \
    >"$dir/log/stdout" 2>&1 &
  PEERS_RSPAMD_PID=$!
  local i n
  for ((i = 0; i < 180; i++)); do
    if ! kill -0 "$PEERS_RSPAMD_PID" 2>/dev/null; then
      echo "peers: rspamd did not start; see $dir/log" >&2
      tail -5 "$dir/log/rspamd.log" "$dir/log/stdout" >&2 2>/dev/null || true
      PEERS_RSPAMD_PID=""
      return 1
    fi
    n=$(grep -c "(normal).*hyperscan database.*has been loaded" "$dir/log/rspamd.log" 2>/dev/null || true)
    if [ "${n:-0}" -ge "$workers" ]; then
      return 0
    fi
    # a database from the cache is loaded by the main process, before the
    # workers are forked: ready once the worker's port accepts
    if grep -q "(main).*full hyperscan database.*has been loaded" "$dir/log/rspamd.log" 2>/dev/null &&
      (exec 3<>"/dev/tcp/127.0.0.1/$PEERS_RSPAMD_PORT") 2>/dev/null; then
      sleep 2
      return 0
    fi
    sleep 1
  done
  echo "peers: rspamd up without a Hyperscan database after 180 s (slower PCRE path)" >&2
}

# PIDs of rspamd's normal workers.
peers_rspamd_workers() {
  local c
  for c in $(peers_children "$PEERS_RSPAMD_PID"); do
    grep -q 'normal process' /proc/"$c"/cmdline 2>/dev/null && echo "$c"
  done
  return 0
}

# peers_spamd_start DIR [CHILDREN]: a private spamd --local with CHILDREN
# children (default 1, fixed: no respawn during a run); sets
# PEERS_SPAMD_PORT and PEERS_SPAMD_PID; returns once spamd answers.
peers_spamd_start() {
  local dir=$1/spamd children=${2:-1} user
  mkdir -p "$dir/site" "$dir/home"
  cp /etc/spamassassin/*.pre /etc/spamassassin/*.cf "$dir/site/"
  printf '\n# offline peer comparison\nuse_bayes 0\nbayes_auto_learn 0\n' >>"$dir/site/local.cf"
  PEERS_SPAMD_PORT=$(peers_free_port)
  user=$(id -un)
  # spamd will not keep root for its children; nobody reads nothing of ours
  # but its site config, which every directory above must let it reach
  # (mktemp -d makes the work directory 0700)
  if [ "$(id -u)" -eq 0 ]; then
    user=nobody
    chown -R nobody "$dir/home"
    local up=$dir
    while [ "$up" != / ] && [ -n "$up" ]; do
      chmod o+x "$up" 2>/dev/null || true
      up=$(dirname "$up")
    done
  fi
  spamd --local --nouser-config --siteconfigpath="$dir/site" \
    --listen="127.0.0.1:$PEERS_SPAMD_PORT" --allowed-ips=127.0.0.1 \
    --pidfile="$dir/spamd.pid" --username="$user" --helper-home-dir="$dir/home" \
    --max-children="$children" --min-children="$children" \
    --min-spare="$children" --max-spare="$children" \
    --max-conn-per-child=1000000 --syslog=stderr >"$dir/log" 2>&1 &
  PEERS_SPAMD_PID=$!
  local i
  for ((i = 0; i < 120; i++)); do
    if ! kill -0 "$PEERS_SPAMD_PID" 2>/dev/null; then
      echo "peers: spamd did not start; see $dir/log" >&2
      tail -5 "$dir/log" >&2
      PEERS_SPAMD_PID=""
      return 1
    fi
    if spamc -d 127.0.0.1 -p "$PEERS_SPAMD_PORT" -K >/dev/null 2>&1; then
      sleep 1
      return 0
    fi
    sleep 1
  done
  echo "peers: spamd not answering after 120 s" >&2
  return 1
}

peers_spamd_children() {
  peers_children "$PEERS_SPAMD_PID"
}

peers_stop_pid() {
  local pid=$1 i
  [ -n "$pid" ] || return 0
  kill "$pid" 2>/dev/null || return 0
  for ((i = 0; i < 50; i++)); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.2
  done
  kill -9 "$pid" 2>/dev/null || true
}

peers_stop_all() {
  peers_stop_pid "$PEERS_RSPAMD_PID"
  peers_stop_pid "$PEERS_SPAMD_PID"
  PEERS_RSPAMD_PID=""
  PEERS_SPAMD_PID=""
}
