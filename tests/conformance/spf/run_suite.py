#!/usr/bin/python3
"""Run the converted RFC 7208 suite against `sesguard spf --dns-zone`.

Usage: run_suite.py SESGUARD OUTDIR   (OUTDIR written by rfc7208_zones.py)

Each test runs `sesguard spf --dns-zone ZONE --ip HOST --sender MAILFROM
--helo HELO --format json`; the result must be one the suite accepts and,
where the suite gives an explanation, the explanation must be exactly it
("DEFAULT": no explanation). Prints every failure, the tests whose
expectation allows alternative results, and a count; exits 1 on any
failure.
"""
import json
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor


def run_one(sesguard, t, dns=None):
    where = ['--dns', dns, '--timeout', '3000'] if dns else ['--dns-zone', t['zone']]
    cmd = [sesguard, 'spf'] + where + ['--ip', t['host'], '--sender', t['mailfrom'],
                                       '--helo', t['helo'], '--format', 'json']
    p = subprocess.run(cmd, capture_output=True, timeout=60)
    try:
        out = json.loads(p.stdout.decode('utf-8', 'replace'))
    except ValueError:
        return t, None, 'no JSON (exit %d): %s' % (p.returncode, p.stderr.decode('utf-8', 'replace'))
    problems = []
    if out['result'] not in t['results']:
        problems.append('result %s, expected %s' % (out['result'], '|'.join(t['results'])))
    want = t['explanation']
    if want is not None and out.get('explanation') != want:
        problems.append('explanation %r, expected %r' % (out.get('explanation'), want))
    if t['default_explanation'] and out.get('explanation') is not None:
        problems.append('explanation %r, expected none (DEFAULT)' % out.get('explanation'))
    want_rc = {'pass': 0, 'none': 0, 'neutral': 0, 'fail': 1, 'softfail': 1}.get(out['result'], 2)
    if p.returncode != want_rc:
        problems.append('exit %d for %s' % (p.returncode, out['result']))
    return t, out, '; '.join(problems)


def main():
    sesguard, outdir = sys.argv[1], sys.argv[2]
    with open(outdir + '/tests.jsonl') as f:
        tests = [json.loads(line) for line in f]
    failed = 0
    with ThreadPoolExecutor(max_workers=2) as ex:
        for t, out, problem in ex.map(lambda t: run_one(sesguard, t), tests):
            if problem:
                failed += 1
                print('FAIL %s [%s] (%s): %s' % (t['id'], t['scenario'], t['spec'], problem))
                if out:
                    print('     problem: %s' % out.get('problem'))
                    for line in out.get('trace', []):
                        print('     | ' + line)
    alts = [t for t in tests if len(t['results']) > 1]
    print('tests allowing alternative results: ' +
          ', '.join('%s (%s)' % (t['id'], '|'.join(t['results'])) for t in alts))
    print('RFC 7208 suite: %d of %d tests pass' % (len(tests) - failed, len(tests)))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
