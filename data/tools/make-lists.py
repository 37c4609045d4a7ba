#!/usr/bin/env python3
"""Build sesguard's domain lists from public fact lists (SpamAssassin's
freemail and URL-shortener lists, rspamd's redirector list; Apache-2.0):
usage: make-lists.py SHARED_LISTS_DIR DATA_DIR
Writes DATA_DIR/freemail.txt, shorteners.txt, redirectors.txt."""
import re, sys
src, dst = sys.argv[1], sys.argv[2]

def words(path, key):
    out = []
    for line in open(path, encoding="utf-8", errors="replace"):
        parts = line.split()
        if parts and parts[0] == key:
            out += parts[1:]
    return out

def write(name, head, items):
    items = sorted({i.strip().lstrip(".").lower() for i in items if i.strip() and not i.startswith("#")})
    items = [i for i in items if re.fullmatch(r"[a-z0-9*][a-z0-9.*-]*\.[a-z0-9*-]+", i)]
    with open(f"{dst}/{name}", "w", encoding="utf-8") as f:
        f.write(head)
        f.write("\n".join(items) + "\n")
    print(name, len(items))

lic = "# Derived from {what} (Apache-2.0); regenerate with data/tools/make-lists.py.\n# One domain per line; a domain also covers its subdomains; '*' matches one label.\n"
# SpamAssassin writes some providers as "hotmail.*": keep those as one-label globs
fm = [w for w in words(f"{src}/spamassassin/20_freemail_domains.cf", "freemail_domains")
      if "*" not in w or re.fullmatch(r"[a-z0-9-]+\.\*", w)]
write("freemail.txt", "# Free mail providers: anyone can get an address there.\n" + lic.format(what="SpamAssassin's 20_freemail_domains.cf"), fm)
sh = words(f"{src}/spamassassin/25_url_shortener.cf", "url_shortener")
write("shorteners.txt", "# URL shorteners: the link hides where it goes.\n" + lic.format(what="SpamAssassin's 25_url_shortener.cf"), sh)
rd = [l.split()[0] for l in open(f"{src}/rspamd/redirectors.inc", encoding="utf-8") if l.strip() and not l.startswith("#")]
write("redirectors.txt", "# Redirectors and click trackers: the anchor's real target is elsewhere.\n" + lic.format(what="rspamd's redirectors.inc"), rd)
