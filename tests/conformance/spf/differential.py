#!/usr/bin/python3
"""Differential test: sesguard and pyspf (Debian's python3-spf) on random policies.

Usage: differential.py SESGUARD NSD [SCENARIOS [SEED]]

Generates SCENARIOS (default 120) random but reproducible (SEED, default
7208) SPF set-ups -- a top record of random directives (ip4, ip6, a, mx,
ptr, exists with macros, include of records that pass, fail, are missing
or broken, redirect, exp) over random A/AAAA/MX/PTR data -- as one root
zone, serves it from NSD on loopback, and asks both implementations about
several client addresses per scenario through that server. Every result
must agree, and for fail results the explanations too. One divergence is
known and allowed: pyspf counts every empty answer against the limit of two
void lookups, including the A/AAAA lookups of MX and PTR hosts, so it gives
permerror where RFC 7208 4.6.4, which counts "terms" whose query is void,
does not (an IPv6 client and IPv4-only MX hosts are enough); such cases are
listed.
Exits 1 on any disagreement; NSD is always stopped.
"""
import json
import os
import random
import subprocess
import sys
import tempfile

import dns.resolver
import spf

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from run_suite_nsd import free_port, start_nsd, stop_nsd  # noqa: E402

QUALS = ['', '', '', '+', '-', '~', '?']
NO_EXP = '(no explanation)'  # pyspf's default explanation, set to this


def v4(k, x):
    return '10.%d.0.%d' % (k, x)


def v6(k, x):
    return '2001:db8:%x::%x' % (k, x)


def rev4(k, x):
    return '%d.0.%d.10.in-addr.arpa.' % (x, k)


class Scenario:
    def __init__(self, k, rnd):
        self.k, self.r = k, rnd
        self.d = 's%d.diff.test' % k
        self.lines = []
        self.addrs = [rnd.randint(1, 20) for _ in range(4)]

    def rr(self, name, rtype, data):
        self.lines.append('%s. 300 IN %s %s' % (name, rtype, data))

    def hosts(self, name, n):
        """A and AAAA records for name; returns the host numbers used."""
        xs = self.r.sample(range(1, 21), n)
        for x in xs:
            self.rr(name, 'A', v4(self.k, x))
            if self.r.random() < 0.5:
                self.rr(name, 'AAAA', v6(self.k, x))
        return xs

    def cidr(self, four):
        if self.r.random() < 0.6:
            return ''
        return '/%d' % (self.r.randint(24, 32) if four else self.r.randint(64, 128))

    def term(self, depth):
        r, k, d = self.r, self.k, self.d
        kind = r.choice(['ip4', 'ip6', 'a', 'a2', 'mx', 'ptr', 'exists', 'include', 'include'])
        q = r.choice(QUALS)
        if kind == 'ip4':
            return '%sip4:%s%s' % (q, v4(k, r.randint(1, 20)), self.cidr(True))
        if kind == 'ip6':
            return '%sip6:%s%s' % (q, v6(k, r.randint(1, 20)), self.cidr(False))
        if kind == 'a':
            self.hosts(d, r.randint(1, 3))
            return q + 'a' + self.cidr(True)
        if kind == 'a2':
            name = 'h%d.%s' % (r.randint(1, 99), d)
            if r.random() < 0.8:
                self.hosts(name, r.randint(1, 3))
            return '%sa:%s%s' % (q, name, self.cidr(True))
        if kind == 'mx':
            for i in range(r.randint(0, 3)):
                mx = 'mx%d.%s' % (i, d)
                self.rr(d, 'MX', '%d %s.' % (i * 10, mx))
                self.hosts(mx, r.randint(1, 2))
            return q + 'mx'
        if kind == 'ptr':
            for x in r.sample(range(1, 21), 3):
                host = 'p%d.%s' % (x, d) if r.random() < 0.6 else 'p%d.elsewhere.test' % x
                self.rr(rev4(k, x).rstrip('.'), 'PTR', host + '.')
                if r.random() < 0.8:
                    self.rr(host, 'A', v4(k, x))
            return q + 'ptr'
        if kind == 'exists':
            for x in r.sample(range(1, 21), 3):
                self.rr('%s.ok.%s' % (v4(k, x), d), 'A', '127.0.0.2')
            return q + 'exists:%{i}.ok.%{d}'
        # include
        name = 'inc%d.%s' % (r.randint(1, 999), d)
        if depth < 2:
            choice = r.random()
            if choice < 0.7:
                body = ' '.join(self.term(depth + 1) for _ in range(r.randint(1, 3)))
                self.rr(name, 'TXT', '"v=spf1 %s %s"' % (body, r.choice(['-all', '~all', '?all', ''])))
            elif choice < 0.85:
                self.rr(name, 'TXT', '"v=spf1 ip4:10.%d.0.999 -all"' % k)  # broken
            # else: no record at all
        return q + 'include:' + name

    def build(self):
        r, d = self.r, self.d
        terms = [self.term(0) for _ in range(r.randint(1, 5))]
        tail = r.random()
        if tail < 0.6:
            terms.append(r.choice(['-all', '~all', '?all', '+all']))
        elif tail < 0.8:
            target = 'red.' + d
            self.rr(target, 'TXT', '"v=spf1 %s -all"' % self.term(1))
            terms.append('redirect=' + target)
        if r.random() < 0.4:
            terms.append('exp=why.' + d)
            self.rr('why.' + d, 'TXT', '"%{i} may not send as %{s} (%{d})"')
        self.record = 'v=spf1 ' + ' '.join(terms)
        self.rr(d, 'TXT', '"%s"' % self.record)
        ips = [v4(self.k, x) for x in self.addrs[:3]] + [v6(self.k, self.addrs[3])]
        return ips


def pyspf_check(port, ip, sender, helo):
    res = dns.resolver.Resolver(configure=False)
    res.nameservers = ['127.0.0.1']
    res.port = port
    res.lifetime = 5
    dns.resolver.default_resolver = res
    q = spf.query(i=ip, s=sender, h=helo)
    q.set_default_explanation(NO_EXP)
    result, _, exp = q.check()
    result = {'error': 'temperror', 'unknown': 'permerror'}.get(result, result)
    return result, (None if exp == NO_EXP else exp)


def sesguard_check(sesguard, port, ip, sender, helo):
    p = subprocess.run([sesguard, 'spf', '--dns', '127.0.0.1:%d' % port, '--timeout', '3000',
                        '--format', 'json', '--ip', ip, '--sender', sender, '--helo', helo],
                       capture_output=True, timeout=60)
    out = json.loads(p.stdout)
    return out['result'], out.get('explanation'), out


def main():
    sesguard, nsd = sys.argv[1], sys.argv[2]
    n = int(sys.argv[3]) if len(sys.argv) > 3 else 120
    seed = int(sys.argv[4]) if len(sys.argv) > 4 else 7208
    rnd = random.Random(seed)
    scenarios, lines = [], []
    for k in range(1, n + 1):
        s = Scenario(k, rnd)
        ips = s.build()
        scenarios.append((s, ips))
        lines.extend(s.lines)
    cases = disagreements = 0
    void_divergence = []
    with tempfile.TemporaryDirectory() as work:
        zone = os.path.join(work, 'root.zone')
        with open(zone, 'w') as f:
            f.write('$TTL 300\n. SOA ns.nsd-root.test. hostmaster.nsd-root.test. 1 3600 600 '
                    '86400 300\n. NS ns.nsd-root.test.\nns.nsd-root.test. A 127.0.0.1\n')
            for line in dict.fromkeys(lines):  # one copy of each record
                f.write(line + '\n')
        port = free_port()
        p = start_nsd(nsd, work, zone, port)
        try:
            for s, ips in scenarios:
                sender = 'user@' + s.d
                for ip in ips:
                    cases += 1
                    want, wexp = pyspf_check(port, ip, sender, 'mail.example.org')
                    got, gexp, out = sesguard_check(sesguard, port, ip, sender,
                                                    'mail.example.org')
                    exp_differs = got == 'fail' and wexp != gexp
                    if (want == 'permerror' and got != want and 'oid lookup' in (wexp or '')
                            and out['void_lookups'] <= 2):
                        # pyspf counts every empty answer, also the A/AAAA
                        # lookups of MX and PTR hosts; RFC 7208 4.6.4
                        # counts "terms" whose query is void.
                        void_divergence.append('%s %s' % (s.d, ip))
                        continue
                    if got != want or exp_differs:
                        disagreements += 1
                        print('DISAGREE %s ip %s: sesguard %s, pyspf %s%s\n  record: %s' %
                              (s.d, ip, got, want,
                               ' (explanations %r / %r)' % (gexp, wexp) if exp_differs else '',
                               s.record))
                        for line in out.get('trace', []):
                            print('     | ' + line)
        finally:
            stop_nsd(p)
    print('known divergence, void lookups counted per query by pyspf and per term by '
          'sesguard (RFC 7208 4.6.4): %d case(s) %s' %
          (len(void_divergence), ', '.join(void_divergence)))
    print('differential: %d cases over %d random policies (seed %d), %d disagreements' %
          (cases, n, seed, disagreements))
    return 1 if disagreements else 0


if __name__ == '__main__':
    sys.exit(main())
