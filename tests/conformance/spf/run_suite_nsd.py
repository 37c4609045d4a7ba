#!/usr/bin/python3
"""Run the converted RFC 7208 suite through NSD: real wire answers.

Usage: run_suite_nsd.py SESGUARD NSD OUTDIR   (OUTDIR from rfc7208_zones.py)

For each scenario, NSD serves scenario-NN.root.zone (the scenario's data as
a root zone) on a free loopback port, and every test runs
`sesguard spf --dns 127.0.0.1:PORT` (libunbound forwarding to NSD).

An authoritative server cannot express the suite's TIMEOUT entries, so the
root zones leave them out. A test depends on them when the zone backend,
given the same root zone, no longer gives an accepted result; such tests
are listed, and for them (as for every test) the NSD answer must equal the
zone backend's on the same data. Every other test must give an accepted
result through NSD; where that differs from the zone backend's (the suite
allows alternatives exactly where live DNS cannot reproduce its data:
identical records merge into one RRset, PTR answers come in any order),
the difference is listed. Exits 1 on any failure; NSD is always stopped.
"""
import json
import os
import socket
import struct
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from run_suite import run_one  # noqa: E402


def free_port():
    for _ in range(50):
        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        u.bind(('127.0.0.1', 0))
        port = u.getsockname()[1]
        t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            t.bind(('127.0.0.1', port))
            return port
        except OSError:
            continue
        finally:
            u.close()
            t.close()
    raise RuntimeError('no free port')


def ready(port):
    q = b'\x00\x07\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00' + struct.pack('>HH', 6, 1)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(0.3)
    try:
        s.sendto(q, ('127.0.0.1', port))
        r = s.recv(4096)
        return len(r) >= 12 and r[:2] == b'\x00\x07' and (r[3] & 15) == 0
    except OSError:
        return False
    finally:
        s.close()


def start_nsd(nsd, work, zone, port):
    conf = os.path.join(work, 'nsd.conf')
    with open(conf, 'w') as f:
        f.write('server:\n  ip-address: 127.0.0.1@%d\n  port: %d\n  username: ""\n'
                '  chroot: ""\n  zonesdir: "%s"\n  database: ""\n  pidfile: "%s/nsd.pid"\n'
                '  xfrdfile: "%s/xfrd.state"\n  zonelistfile: "%s/zone.list"\n'
                '  logfile: "%s/nsd.log"\n  server-count: 1\n  verbosity: 1\n'
                'remote-control:\n  control-enable: no\nzone:\n  name: "."\n'
                '  zonefile: "%s"\n' % (port, port, work, work, work, work, work, zone))
    log = open(os.path.join(work, 'nsd.out'), 'w')
    p = subprocess.Popen([nsd, '-d', '-c', conf], stdout=log, stderr=subprocess.STDOUT)
    deadline = time.time() + 10
    while time.time() < deadline:
        if p.poll() is not None:
            break
        if ready(port):
            return p
        time.sleep(0.2)
    stop_nsd(p)
    for name in ('nsd.out', 'nsd.log'):
        try:
            sys.stdout.write(open(os.path.join(work, name)).read())
        except OSError:
            pass
    raise RuntimeError('nsd did not start for %s' % zone)


def stop_nsd(p):
    if p.poll() is None:
        p.terminate()
        try:
            p.wait(5)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()


def main():
    sesguard, nsd, outdir = sys.argv[1:4]
    with open(os.path.join(outdir, 'tests.jsonl')) as f:
        tests = [json.loads(line) for line in f]
    zones = sorted({t['zone'] for t in tests})
    failed, via_nsd, timeout_dep, notes = 0, 0, [], []
    for zone in zones:
        root = zone[:-len('.zone')] + '.root.zone'
        group = [t for t in tests if t['zone'] == zone]
        # The zone backend on the root variant: the reference for NSD.
        offline = {}
        for t in group:
            t2 = dict(t, zone=root)
            _, out, _ = run_one(sesguard, t2)
            offline[t['id']] = out['result'] if out else None
        with tempfile.TemporaryDirectory() as work:
            port = free_port()
            p = start_nsd(nsd, work, os.path.abspath(root), port)
            try:
                for t in group:
                    _, out, problem = run_one(sesguard, t, dns='127.0.0.1:%d' % port)
                    got = out['result'] if out else None
                    if offline[t['id']] not in t['results']:
                        timeout_dep.append(t['id'])
                        if got != offline[t['id']]:
                            failed += 1
                            print('FAIL %s: NSD gives %s, the zone backend %s on the same data'
                                  % (t['id'], got, offline[t['id']]))
                        continue
                    via_nsd += 1
                    if not problem and got != offline[t['id']]:
                        # Accepted, but not what the same data gives
                        # offline: the suite allows it where a server
                        # cannot reproduce the data (duplicate records
                        # merged into one RRset, RFC 2181 5; PTR order).
                        notes.append('%s (%s through NSD, %s offline)' %
                                     (t['id'], got, offline[t['id']]))
                    if problem:
                        failed += 1
                        print('FAIL %s [%s]: %s (zone backend: %s)' %
                              (t['id'], t['scenario'], problem or got, offline[t['id']]))
                        if out:
                            for line in out.get('trace', []):
                                print('     | ' + line)
            finally:
                stop_nsd(p)
    print('tests that need the suite\'s TIMEOUT entries (compared with the zone backend '
          'on the same data instead): ' + ', '.join(timeout_dep))
    print('accepted alternative results that differ from the zone backend: ' +
          (', '.join(notes) or 'none'))
    print('RFC 7208 suite through NSD: %d of %d tests pass (%d need TIMEOUT entries)' %
          (via_nsd + len(timeout_dep) - failed, len(tests), len(timeout_dep)))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
