#!/usr/bin/env python3
"""Convert ValiMail's ARC validation suite (YAML) into the length-prefixed
text file that tests/unit/test_arc.c reads, so the C tests need no YAML
parser and no Python at test time.

    python3 convert.py arc-draft-validation-tests.yml > arc-validation.txt

Output records, in order:
    key <name> <len>\\n<record bytes>\\n
    test <name> <cv> <len>\\n<message bytes>\\n
<cv> is none, pass or fail. The suite writes "None", "Pass", "Fail", and an
empty value for three tests whose descriptions say the message fails (the
newest seal, or an older one, carries cv=fail): RFC 8617 5.2 steps 2-3
make those "fail", and so do we.
"""
import sys

import yaml


def main(path):
    out = sys.stdout.buffer
    with open(path, encoding="utf-8") as f:
        docs = list(yaml.safe_load_all(f))
    keys = {}
    for d in docs:
        for name, rec in (d.get("txt-records") or d.get("txt_records") or {}).items():
            keys[name] = rec
    for name, rec in sorted(keys.items()):
        b = rec.encode()
        out.write(b"key %s %d\n" % (name.encode(), len(b)) + b + b"\n")
    for d in docs:
        for name, t in d["tests"].items():
            cv = (t.get("cv") or "").strip().lower() or "fail"
            msg = (t.get("message") or "").encode()
            out.write(b"test %s %s %d\n" % (name.encode(), cv.encode(), len(msg)) + msg + b"\n")


if __name__ == "__main__":
    main(sys.argv[1])
