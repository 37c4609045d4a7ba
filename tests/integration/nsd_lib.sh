# nsd_lib.sh - start and stop Debian's NSD on loopback for integration
# tests (sourced, not run). NSD runs in the foreground (-d) from a
# generated nsd.conf in a private directory, on a free high port, as the
# current user, without nsd-control; nsd_stop (install it in a trap) kills
# it. nsd_start never hangs: it gives up after ~10 s and prints NSD's log.
#
#   nsd_find              sets NSD_BIN, or returns 1 if NSD is not installed
#   nsd_free_port         prints a port free for both UDP and TCP on 127.0.0.1
#   nsd_start DIR PORT ZONE=FILE...   starts NSD serving each zone (FILE
#                         relative to DIR or absolute; a FILE that does not
#                         exist leaves the zone configured but unloaded)
#   nsd_stop              stops it (safe to call twice)

NSD_PID=

nsd_find() {
    NSD_BIN=$(command -v nsd || true)
    [ -z "$NSD_BIN" ] && [ -x /usr/sbin/nsd ] && NSD_BIN=/usr/sbin/nsd
    [ -n "$NSD_BIN" ]
}

nsd_free_port() {
    /usr/bin/python3 - <<'PY'
import socket
for _ in range(50):
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.bind(('127.0.0.1', 0))
    port = u.getsockname()[1]
    t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        t.bind(('127.0.0.1', port))
    except OSError:
        u.close(); t.close(); continue
    u.close(); t.close()
    print(port)
    break
PY
}

# Is NSD answering on 127.0.0.1:$1? (an SOA query for the first zone)
nsd_ready() {
    /usr/bin/python3 - "$1" "$2" <<'PY'
import socket, struct, sys
port, zone = int(sys.argv[1]), sys.argv[2].strip('.')
q = b'\x00\x01\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00'
for label in [l for l in zone.split('.') if l]:
    q += bytes([len(label)]) + label.encode()
q += b'\x00' + struct.pack('>HH', 6, 1)
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(0.3)
try:
    s.sendto(q, ('127.0.0.1', port))
    r = s.recv(4096)
    sys.exit(0 if len(r) >= 12 and r[0:2] == b'\x00\x01' and (r[3] & 15) == 0 else 1)
except OSError:
    sys.exit(1)
PY
}

nsd_start() {
    local dir=$1 port=$2
    shift 2
    local first=
    {
        echo "server:"
        echo "  ip-address: 127.0.0.1@$port"
        echo "  port: $port"
        echo "  username: \"\""
        echo "  chroot: \"\""
        echo "  zonesdir: \"$dir\""
        echo "  database: \"\""
        echo "  pidfile: \"$dir/nsd.pid\""
        echo "  xfrdfile: \"$dir/xfrd.state\""
        echo "  zonelistfile: \"$dir/zone.list\""
        echo "  logfile: \"$dir/nsd.log\""
        echo "  server-count: 1"
        echo "  tcp-count: 10"
        echo "  verbosity: 1"
        echo "remote-control:"
        echo "  control-enable: no"
        for z in "$@"; do
            [ -z "$first" ] && first=${z%%=*}
            echo "zone:"
            echo "  name: \"${z%%=*}\""
            echo "  zonefile: \"${z#*=}\""
        done
    } > "$dir/nsd.conf"
    "$NSD_BIN" -d -c "$dir/nsd.conf" > "$dir/nsd.out" 2>&1 &
    NSD_PID=$!
    local i
    for i in $(seq 1 50); do
        if ! kill -0 "$NSD_PID" 2>/dev/null; then
            echo "nsd exited at start-up:" >&2
            cat "$dir/nsd.out" "$dir/nsd.log" >&2 2>/dev/null
            NSD_PID=
            return 1
        fi
        if nsd_ready "$port" "$first"; then
            return 0
        fi
        sleep 0.2
    done
    echo "nsd did not answer on 127.0.0.1:$port within 10 s:" >&2
    cat "$dir/nsd.out" "$dir/nsd.log" >&2 2>/dev/null
    nsd_stop
    return 1
}

nsd_stop() {
    if [ -n "$NSD_PID" ]; then
        kill "$NSD_PID" 2>/dev/null || true
        local i
        for i in $(seq 1 25); do
            kill -0 "$NSD_PID" 2>/dev/null || break
            sleep 0.2
        done
        kill -9 "$NSD_PID" 2>/dev/null || true
        wait "$NSD_PID" 2>/dev/null || true
        NSD_PID=
    fi
}
