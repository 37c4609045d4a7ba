#!/usr/bin/python3
"""Turn the RFC 7208 SPF test suite (YAML) into master files and expectations.

Usage: rfc7208_zones.py SUITE.yml[.gz] OUTDIR

For every scenario (YAML document) N it writes OUTDIR/scenario-NN.zone, an
RFC 1035 master file that sesguard's zone backend (and NSD) can load, and
one line per test to OUTDIR/tests.jsonl:

  {"id", "scenario", "zone", "host", "mailfrom", "helo",
   "results": [accepted results, preferred first], "explanation": str|null,
   "default_explanation": bool, "spec", "description"}

How the suite's DNS data is modelled (the suite's own driver, pyspf's
testspf.py, defines these meanings; we model them, we do not copy code):

- SPF entries (type 99) are also served as TXT when the name has no TXT
  entry of its own (RFC 7208 dropped type SPF; the suite relies on drivers
  duplicating them). A TXT entry "NONE" means "no TXT record here" and
  stops the duplication; it is not itself written.
- TXT/SPF values are one string or a list of strings (one record with
  several character-strings, which SPF concatenates); every byte outside
  printable ASCII (space included), and '"' and '\\', is written as \\DDD, so NULs, CR, LF
  and the deliberately non-ASCII records survive exactly (the YAML text is
  encoded as UTF-8, as the suite's driver sends it). A string longer than
  255 bytes is split into several character-strings (the concatenation
  is unchanged). An empty list is one empty string.
- TIMEOUT entries become "name TYPE65280 \\# 0": sesguard's zone backend
  answers DNS_TEMPFAIL for any type the name does not own (see
  src/dns/dns_zone.c), which is exactly the driver's semantics.
- Owner names and targets are made absolute; bytes outside
  [A-Za-z0-9-_] in a label are written as \\DDD (the suite has owner names
  with spaces and '%').
- Beside each scenario-NN.zone, scenario-NN.root.zone is the same data as a
  root zone for a real authoritative server (SOA and NS at "." added),
  without the TIMEOUT entries, which no server can express; run_suite_nsd.py
  finds the tests that depend on them.
- An explanation "DEFAULT" in the suite is the driver's default
  explanation: it means no exp= explanation applies, so the expectation is
  "no explanation" (default_explanation: true).
"""
import gzip
import json
import os
import sys

import yaml


def esc_bytes(b, extra=b''):
    out = []
    for c in b:
        if 0x20 <= c <= 0x7e and c not in b'"\\' and c not in extra:
            out.append(chr(c))
        else:
            out.append('\\%03d' % c)
    return ''.join(out)


def esc_name(name):
    name = str(name)
    if name.endswith('.'):
        name = name[:-1]
    labels = name.split('.')
    out = []
    for label in labels:
        b = label.encode('utf-8')
        out.append(''.join(chr(c) if (chr(c).isalnum() and c < 0x80) or c in b'-_*'
                           else '\\%03d' % c for c in b))
    return '.'.join(out) + '.'


def txt_rdata(value):
    if isinstance(value, str):
        value = [value]
    if not value:
        return '""'
    parts = []
    for s in value:
        b = s.encode('utf-8')
        chunks = [b[i:i + 255] for i in range(0, len(b), 255)] or [b'']
        parts.extend('"%s"' % esc_bytes(c) for c in chunks)
    return ' '.join(parts)


def rr_lines(name, rrs):
    owner = esc_name(name)
    lines = []
    gen = True
    spf_as_txt = []
    for rr in rrs:
        if rr == 'TIMEOUT':
            lines.append('%s TYPE65280 \\# 0' % owner)
            continue
        for t, v in rr.items():
            if t == 'TXT':
                gen = False
            elif t == 'SPF':
                spf_as_txt.append(v)
            if v == 'NONE' or v == ['NONE']:
                continue
            if t in ('TXT', 'SPF'):
                lines.append('%s %s %s' % (owner, t, txt_rdata(v)))
            elif t == 'MX':
                pref, host = v
                lines.append('%s MX %d %s' % (owner, int(pref), esc_name(host) if host else '.'))
            elif t in ('PTR', 'CNAME'):
                lines.append('%s %s %s' % (owner, t, esc_name(v)))
            elif t in ('A', 'AAAA'):
                lines.append('%s %s %s' % (owner, t, v))
            else:
                raise ValueError('unknown type %s at %s' % (t, name))
    if gen:
        for v in spf_as_txt:
            if v == 'NONE' or v == ['NONE']:
                lines.append('%s TXT "NONE"' % owner)
            else:
                lines.append('%s TXT %s' % (owner, txt_rdata(v)))
    return lines


def load(path):
    opener = gzip.open if path.endswith('.gz') else open
    with opener(path, 'rb') as f:
        return list(yaml.safe_load_all(f))


def main():
    if len(sys.argv) != 3:
        sys.stderr.write(__doc__)
        return 2
    docs = load(sys.argv[1])
    outdir = sys.argv[2]
    os.makedirs(outdir, exist_ok=True)
    ntests = 0
    with open(os.path.join(outdir, 'tests.jsonl'), 'w') as tf:
        for i, doc in enumerate(docs):
            zone = os.path.join(outdir, 'scenario-%02d.zone' % i)
            root = os.path.join(outdir, 'scenario-%02d.root.zone' % i)
            with open(zone, 'w') as zf, open(root, 'w') as rf:
                zf.write('; %s\n$TTL 300\n' % doc.get('description', ''))
                rf.write('; %s\n$TTL 300\n' % doc.get('description', ''))
                rf.write('. SOA ns.nsd-root.test. hostmaster.nsd-root.test. 1 3600 600 86400 300\n'
                         '. NS ns.nsd-root.test.\nns.nsd-root.test. A 127.0.0.1\n')
                for name, rrs in (doc.get('zonedata') or {}).items():
                    for line in rr_lines(name, rrs or []):
                        zf.write(line + '\n')
                        if 'TYPE65280' not in line:
                            rf.write(line + '\n')
            for tid, t in doc['tests'].items():
                res = t['result']
                results = res if isinstance(res, list) else [res]
                exp = t.get('explanation')
                tf.write(json.dumps({
                    'id': tid, 'scenario': doc.get('description', ''), 'zone': zone,
                    'host': t['host'], 'mailfrom': t.get('mailfrom', ''),
                    'helo': t.get('helo', ''), 'results': results,
                    'explanation': None if exp == 'DEFAULT' else exp,
                    'default_explanation': exp == 'DEFAULT',
                    'spec': str(t.get('spec', '')),
                    'description': t.get('description', ''),
                }) + '\n')
                ntests += 1
    print('%d scenarios, %d tests' % (len(docs), ntests))
    return 0


if __name__ == '__main__':
    sys.exit(main())
