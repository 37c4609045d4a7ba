#!/usr/bin/env python3
"""Helper of bench/eval-mail.sh and bench/bench-peers.sh (standard library only).

  split WORK          from WORK/sg/*.jsonl (sesguard's reports, one file per
                      corpus folder) write one file per message under
                      WORK/peers/in/<folder>/ for the peer filters, which read
                      one message per request: a one-message file is linked,
                      a message of an mbox is cut out of it (sesguard's source
                      index = position of the "From " line); writes
                      WORK/peers/manifest.tsv (folder, message id, file).
  sa WORK PORT JOBS   run `spamc -R` against spamd on 127.0.0.1:PORT for every
                      file of the manifest, JOBS at a time; WORK/peers/sa.jsonl
  sa-from WORK OLD    take SpamAssassin's results from the kept run OLD
                      (same messages), instead of running it again
  report WORK [--top N] [--misses] [--fps] [--json FILE] [--peers-dir DIR]
                      print the per-folder table, totals, top symbols, and
                      optionally the lists for review and a JSON summary.

The message id of a report is its path, plus "#INDEX" inside an mbox.
Flagged means: sesguard verdict suspicious or phishing; rspamd action
"add header", "rewrite subject" or "reject" (reject is its strongest);
SpamAssassin score >= its required score (5.0 by default).
"""
import collections
import json
import os
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

GROUPS = ("phish", "ham", "mixed")
RSPAMD_ADD_HEADER = 6.0  # Debian's /etc/rspamd/actions.conf: add_header = 6


def msg_id(rep):
    src = rep.get("source") or {}
    idx = src.get("index")
    return src.get("path", "?") + ("" if idx is None else f"#{idx}")


def read_jsonl(path):
    out = []
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            line = line.strip()
            if line:
                try:
                    out.append(json.loads(line))
                except json.JSONDecodeError:
                    out.append({"_bad_json": line[:200]})
    return out


def folders(work):
    """Folder keys ("phish/ja-public-inbox", ...) in a stable order."""
    try:
        lst = [l.split("\t")[0] for l in open(os.path.join(work, "folders.tsv"), encoding="utf-8").read().splitlines() if l]
    except OSError:
        lst = []
    return lst


def sg_file(work, key, ext):
    return os.path.join(work, "sg", key.replace("/", "__") + ext)


def mbox_messages(path):
    """The messages of an mbox as bytes, the From_ line removed."""
    data = open(path, "rb").read()
    msgs, cur = [], None
    for line in data.splitlines(keepends=True):
        if line.startswith(b"From "):
            if cur is not None:
                msgs.append(b"".join(cur))
            cur = []
            continue
        if cur is None:
            cur = []
        cur.append(line)
    if cur is not None:
        msgs.append(b"".join(cur))
    return msgs


def cmd_split(work):
    base = os.path.join(work, "peers", "in")
    os.makedirs(base, exist_ok=True)
    mboxes = {}
    warned = set()
    with open(os.path.join(work, "peers", "manifest.tsv"), "w", encoding="utf-8") as man:
        for key in folders(work):
            d = os.path.join(base, key.replace("/", "__"))
            os.makedirs(d, exist_ok=True)
            for n, rep in enumerate(read_jsonl(sg_file(work, key, ".jsonl"))):
                if "_bad_json" in rep:
                    continue
                src = rep["source"]
                out = os.path.join(d, f"{n:06d}.eml")
                if src.get("index") is None:
                    os.symlink(os.path.abspath(src["path"]), out)
                else:
                    p = src["path"]
                    if p not in mboxes:
                        mboxes[p] = mbox_messages(p)
                    msgs = mboxes[p]
                    i = src["index"]
                    if i >= len(msgs):
                        if p not in warned:
                            print(f"eval-mail: {p}: sesguard saw more messages than a From_ split; extra ones not given to peers", file=sys.stderr)
                            warned.add(p)
                        continue
                    with open(out, "wb") as f:
                        f.write(msgs[i])
                man.write(f"{key}\t{msg_id(rep)}\t{out}\n")


def manifest(work, peers_dir=None):
    rows = []
    with open(os.path.join(peers_dir or os.path.join(work, "peers"), "manifest.tsv"), encoding="utf-8") as f:
        for line in f:
            k, i, p = line.rstrip("\n").split("\t")
            rows.append((k, i, p))
    return rows


RULE_LINE = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s+([A-Z0-9_]+)\s")


def spamc_one(port, path):
    try:
        with open(path, "rb") as f:
            p = subprocess.run(["spamc", "-d", "127.0.0.1", "-p", str(port), "-R", "-s", str(64 << 20), "-t", "120"],
                               stdin=f, capture_output=True, timeout=300)
    except (OSError, subprocess.TimeoutExpired) as e:
        return {"file": path, "error": str(e)}
    text = p.stdout.decode("utf-8", "replace")
    lines = text.splitlines()
    m = re.match(r"^\s*(-?[\d.]+)/(-?[\d.]+)\s*$", lines[0]) if lines else None
    if not m or (m.group(2) in ("0", "0.0") and p.returncode not in (0, 1)):
        return {"file": path, "error": f"spamc exit {p.returncode}: {text[:100]!r}"}
    rules, table = [], False
    for l in lines[1:]:
        if l.startswith("----"):
            table = True
            continue
        if table:
            r = RULE_LINE.match(l)
            if r:
                rules.append([r.group(2), float(r.group(1))])
    return {"file": path, "score": float(m.group(1)), "required": float(m.group(2)), "rules": rules}


def cmd_sa(work, port, jobs):
    rows = manifest(work)
    with ThreadPoolExecutor(max_workers=jobs) as ex, open(os.path.join(work, "peers", "sa.jsonl"), "w", encoding="utf-8") as out:
        for r in ex.map(lambda row: spamc_one(port, row[2]), rows):
            out.write(json.dumps(r) + "\n")


def cmd_sa_from(work, old):
    """SpamAssassin's results of an earlier run on the same messages, moved
    onto this run's files by message id (path and mbox index)."""
    by_id = {}
    old_file = {p: (k, i) for k, i, p in manifest(old)}
    for obj in read_jsonl(os.path.join(old, "peers", "sa.jsonl")):
        if obj.get("file") in old_file:
            by_id[old_file[obj["file"]]] = obj
    n = missing = 0
    with open(os.path.join(work, "peers", "sa.jsonl"), "w", encoding="utf-8") as out:
        for k, i, p in manifest(work):
            obj = by_id.get((k, i))
            if obj is None:
                missing += 1
                continue
            out.write(json.dumps(dict(obj, file=p)) + "\n")
            n += 1
    print(f"eval-mail: SpamAssassin results of {n} messages taken from {old}" + (f", {missing} not there" if missing else ""), file=sys.stderr)


def read_rspamc(path):
    """rspamc --json prints one JSON object per file, one after the other."""
    dec = json.JSONDecoder()
    text = open(path, encoding="utf-8", errors="replace").read()
    pos, out = 0, []
    while True:
        while pos < len(text) and text[pos] != "{":
            pos += 1
        if pos >= len(text):
            break
        try:
            obj, end = dec.raw_decode(text, pos)
        except json.JSONDecodeError:
            pos += 1
            continue
        out.append(obj)
        pos = end
    return out


def pct(a, n):
    return "-" if not n else f"{100.0 * a / n:.1f}"


def top_symbols(rep, k=3):
    syms = sorted(rep.get("symbols") or [], key=lambda s: -abs(s.get("weight") or 0))
    return ", ".join(f"{s['name']}({s.get('weight', 0):g})" for s in syms[:k]) or "-"


def cmd_report(work, top, misses, fps, json_out, peers_dir=None):
    keys = folders(work)
    sg = {}
    rcs = {}
    for k in keys:
        sg[k] = [r for r in read_jsonl(sg_file(work, k, ".jsonl"))]
        try:
            rcs[k] = int(open(sg_file(work, k, ".rc")).read().strip())
        except (OSError, ValueError):
            rcs[k] = None
    # peers, by folder and message id
    # peer results of this run, or of an earlier run on the same messages
    # (--peers-dir): matched by message id, not by file
    pdir = peers_dir or os.path.join(work, "peers")
    have_peers = os.path.exists(os.path.join(pdir, "manifest.tsv"))
    rs, sa = {}, {}
    file_key = {}
    if have_peers:
        for k, i, p in manifest(work, pdir):
            file_key[p] = (k, i)
        for k in keys:
            f = os.path.join(pdir, "rspamd", k.replace("/", "__") + ".json")
            if os.path.exists(f):
                for obj in read_rspamc(f):
                    fk = file_key.get(obj.get("filename"))
                    if fk:
                        rs[fk] = obj
        f = os.path.join(pdir, "sa.jsonl")
        if os.path.exists(f):
            for obj in read_jsonl(f):
                fk = file_key.get(obj.get("file"))
                if fk:
                    sa[fk] = obj
    have_rs = bool(rs)
    have_sa = bool(sa)
    rs_flag_actions = {"add header", "rewrite subject", "reject"}

    rows = []
    peer_syms = {}
    summary = {"folders": {}, "totals": {}}
    tot = {g: collections.Counter() for g in GROUPS}
    for k in keys:
        g = k.split("/")[0]
        reps = [r for r in sg[k] if "_bad_json" not in r]
        bad = len(sg[k]) - len(reps)
        n = len(reps)
        fl = sum(1 for r in reps if r.get("verdict") in ("suspicious", "phishing"))
        ph = sum(1 for r in reps if r.get("verdict") == "phishing")
        syms = collections.Counter(s["name"] for r in reps for s in (r.get("symbols") or []))
        c = collections.Counter(n=n, sg_flagged=fl, sg_phishing=ph)
        ids = [(k, msg_id(r)) for r in reps]
        if have_rs:
            got = [rs[i] for i in ids if i in rs]
            c["rs_n"] = len(got)
            c["rs_flagged"] = sum(1 for o in got if o.get("action") in rs_flag_actions)
            c["rs_reject"] = sum(1 for o in got if o.get("action") == "reject")
        if have_sa:
            got = [sa[i] for i in ids if i in sa and "error" not in sa[i]]
            c["sa_n"] = len(got)
            c["sa_flagged"] = sum(1 for o in got if o["score"] >= o["required"])
        # rspamd trusts an X-Spam-Flag: YES written by an earlier filter
        # (symbol SPAM_FLAG): messages it would not flag without it
        c["rs_flag_by_header"] = sum(
            1 for i in ids if i in rs and rs[i].get("action") in rs_flag_actions
            and (rs[i].get("score") or 0) - ((rs[i].get("symbols") or {}).get("SPAM_FLAG") or {}).get("score", 0) < RSPAMD_ADD_HEADER)
        tot[g].update(c)
        summary["folders"][k] = {
            "group": g, "messages": n, "bad_json": bad, "sesguard_exit": rcs[k],
            "sesguard_flagged": fl, "sesguard_phishing": ph,
            "rspamd_scanned": c["rs_n"] if have_rs else None,
            "rspamd_flagged": c["rs_flagged"] if have_rs else None,
            "rspamd_reject": c["rs_reject"] if have_rs else None,
            "spamassassin_scanned": c["sa_n"] if have_sa else None,
            "spamassassin_flagged": c["sa_flagged"] if have_sa else None,
            "top_symbols": syms.most_common(top),
        }
        c_rs = collections.Counter()
        c_sa = collections.Counter()
        for i in ids:
            o = rs.get(i)
            if o and o.get("action") in rs_flag_actions:
                c_rs.update(n for n, v in (o.get("symbols") or {}).items() if (v.get("score") or 0) > 0)
            o = sa.get(i)
            if o and "error" not in o and o["score"] >= o["required"]:
                c_sa.update(n for n, w in o["rules"] if w > 0)
        peer_syms[k] = (c_rs, c_sa)
        rows.append((k, c, syms))

    def line(label, c):
        cells = [label, str(c["n"]), pct(c["sg_flagged"], c["n"]), pct(c["sg_phishing"], c["n"])]
        cells.append(pct(c["rs_flagged"], c["rs_n"]) if have_rs else "not run")
        cells.append(pct(c["rs_reject"], c["rs_n"]) if have_rs else "not run")
        cells.append(pct(c["sa_flagged"], c["sa_n"]) if have_sa else "not run")
        return "| " + " | ".join(cells) + " |"

    print("| folder | n | sesguard flagged % | sesguard phishing % | rspamd flagged % | rspamd reject % | SpamAssassin flagged % |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for g in GROUPS:
        gr = [r for r in rows if r[0].startswith(g + "/")]
        for k, c, _ in gr:
            print(line(k, c))
        if g != "mixed" and gr:
            name = {"phish": "**all phishing (recall)**", "ham": "**all legitimate (false positives)**"}[g]
            print(line(name, tot[g]))
    for g in ("phish", "ham"):
        c = tot[g]
        summary["totals"][g] = {
            "messages": c["n"], "sesguard_flagged": c["sg_flagged"], "sesguard_phishing": c["sg_phishing"],
            "rspamd_scanned": c["rs_n"] if have_rs else None, "rspamd_flagged": c["rs_flagged"] if have_rs else None,
            "rspamd_reject": c["rs_reject"] if have_rs else None,
            "spamassassin_scanned": c["sa_n"] if have_sa else None,
            "spamassassin_flagged": c["sa_flagged"] if have_sa else None,
        }
    p, h = tot["phish"], tot["ham"]
    print()
    print(f"recall on phishing: sesguard {pct(p['sg_flagged'], p['n'])}% flagged, {pct(p['sg_phishing'], p['n'])}% phishing"
          + (f"; rspamd {pct(p['rs_flagged'], p['rs_n'])}%" if have_rs else "")
          + (f"; SpamAssassin {pct(p['sa_flagged'], p['sa_n'])}%" if have_sa else ""))
    print(f"false positives on legitimate mail: sesguard {pct(h['sg_flagged'], h['n'])}% flagged, {pct(h['sg_phishing'], h['n'])}% phishing"
          + (f"; rspamd {pct(h['rs_flagged'], h['rs_n'])}%" if have_rs else "")
          + (f"; SpamAssassin {pct(h['sa_flagged'], h['sa_n'])}%" if have_sa else ""))
    if have_rs or have_sa:
        short = []
        for k, c, _ in rows:
            if have_rs and c["rs_n"] != c["n"]:
                short.append(f"{k}: rspamd scanned {c['rs_n']} of {c['n']}")
            if have_sa and c["sa_n"] != c["n"]:
                short.append(f"{k}: SpamAssassin scanned {c['sa_n']} of {c['n']}")
        if short:
            print("peer coverage: " + "; ".join(short))
    if have_rs:
        byh = [f"{k} {c['rs_flag_by_header']} of {c['rs_flagged']}" for k, c, _ in rows if c["rs_flag_by_header"]]
        if byh:
            print("rspamd flagged only because an upstream filter had written X-Spam-Flag: YES (its SPAM_FLAG rule): " + "; ".join(byh))
            for g in ("phish", "ham"):
                t = tot[g]
                if t["rs_n"]:
                    print(f"  without that header, rspamd {g}: {pct(t['rs_flagged'] - t['rs_flag_by_header'], t['rs_n'])}% flagged")
                    summary["totals"][g]["rspamd_flagged_without_upstream_flag"] = t["rs_flagged"] - t["rs_flag_by_header"]
    crashed = [k for k in keys if rcs[k] not in (0, 1, 2)]
    bad = sum(v["bad_json"] for v in summary["folders"].values())
    print(f"sesguard runs: {len(keys)} folders, exit codes " + ", ".join(f"{k}={rcs[k]}" for k in keys)
          + (f"; {bad} unparsable report lines" if bad else ""))
    if crashed:
        print("CRASHED: " + ", ".join(crashed))
    print()
    print(f"most frequent sesguard symbols per folder (messages carrying it, top {top}):")
    for k, c, syms in rows:
        s = ", ".join(f"{name} {cnt}" for name, cnt in syms.most_common(top)) or "(none)"
        print(f"  {k}: {s}")
    if have_rs or have_sa:
        print()
        print("peers: most frequent positive rules on the messages they flagged")
        for k, _, _ in rows:
            c_rs, c_sa = peer_syms[k]
            if have_rs:
                print(f"  {k} rspamd: " + (", ".join(f"{a} {b}" for a, b in c_rs.most_common(5)) or "(none flagged)"))
            if have_sa:
                print(f"  {k} SpamAssassin: " + (", ".join(f"{a} {b}" for a, b in c_sa.most_common(5)) or "(none flagged)"))
    if misses:
        print()
        print("phishing not flagged (message | score | top symbols):")
        for k, _, _ in rows:
            if not k.startswith("phish/"):
                continue
            for r in sg[k]:
                if "_bad_json" in r or r.get("verdict") in ("suspicious", "phishing"):
                    continue
                print(f"  {msg_id(r)} | {r.get('score')} | {top_symbols(r)} | {(r.get('subject') or '')[:70]}")
    if fps:
        print()
        print("legitimate mail flagged (message | verdict | score | top symbols):")
        for k, _, _ in rows:
            if not k.startswith("ham/"):
                continue
            for r in sg[k]:
                if "_bad_json" in r or r.get("verdict") not in ("suspicious", "phishing"):
                    continue
                print(f"  {msg_id(r)} | {r.get('verdict')} | {r.get('score')} | {top_symbols(r)} | {(r.get('subject') or '')[:70]}")
    if json_out:
        try:
            summary["run"] = json.load(open(os.path.join(work, "run.json"), encoding="utf-8"))
        except (OSError, ValueError):
            summary["run"] = {}
        summary["crashed"] = crashed
        with open(json_out, "w", encoding="utf-8") as f:
            json.dump(summary, f, indent=1, ensure_ascii=False)
            f.write("\n")
    return 3 if crashed or bad else 0


def main(argv):
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    cmd, work = argv[1], argv[2]
    if cmd == "split":
        cmd_split(work)
        return 0
    if cmd == "sa-from":
        cmd_sa_from(work, argv[3])
        return 0
    if cmd == "sa":
        cmd_sa(work, int(argv[3]), int(argv[4]))
        return 0
    if cmd == "report":
        top, misses, fps, json_out, pdir = 8, False, False, None, None
        a = argv[3:]
        while a:
            o = a.pop(0)
            if o == "--top":
                top = int(a.pop(0))
            elif o == "--misses":
                misses = True
            elif o == "--fps":
                fps = True
            elif o == "--json":
                json_out = a.pop(0)
            elif o == "--peers-dir":
                pdir = a.pop(0)
            else:
                print(f"eval-mail.py: unknown option {o}", file=sys.stderr)
                return 2
        return cmd_report(work, top, misses, fps, json_out, pdir)
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
