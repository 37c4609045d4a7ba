#!/usr/bin/env python3
"""Build data/brands.conf from public facts: which domains a brand really
sends from. Inputs (MIT-licensed fact lists, see data/brands.conf header):
  lists/brands/jp_brand_legit_domains.json   (derived from disco-v8/MilterAgent)
  lists/brands/brand_legit_sender_domains.json (derived from sublime-rules)
plus the aliases below (Latin, katakana and short forms people write),
written for sesguard. Usage: make-brands.py SHARED_LISTS_DIR > data/brands.conf
"""
import json, re, sys

d = sys.argv[1]
jp = json.load(open(f"{d}/brands/jp_brand_legit_domains.json", encoding="utf-8"))
gl = json.load(open(f"{d}/brands/brand_legit_sender_domains.json", encoding="utf-8"))

# Extra names per brand key (after cleaning) and extra domains from public knowledge.
ALIASES = {
    "Amazon": (["アマゾン", "Amazon.co.jp", "Amazonプライム", "Amazon Prime"],
               ["amazon.co.jp", "amazon.com", "amazon.jp", "amazon.de", "amazon.co.uk", "amazon.fr",
                "amazon.ca", "amazon.in", "amazon.com.au", "amazonaws.com", "aws.com", "a2z.com"]),
    "三井住友カード": (["SMBCカード", "Vpass"], []),
    "三菱UFJ銀行": (["三菱UFJ", "MUFG"], []),
    "三井住友銀行": (["SMBC"], []),
    "JCB": (["MyJCB"], []),
    "えきねっと": (["eki-net"], ["eki-net.com", "jreast.co.jp"]),
    "ETC利用照会サービス": (["ETC利用照会", "ETCマイレージ", "=ETC"], ["etc-meisai.jp", "smile-etc.jp", "go-etc.jp"]),
    "Apple": (["iCloud", "Apple ID", "アップル", "App Store", "iTunes"], ["apple.com", "icloud.com", "me.com", "mac.com", "apple.co.jp"]),
    "メルカリ": (["Mercari"], []),
    "日本郵便": (["日本郵政", "Japan Post", "ゆうパック", "郵便局"], ["japanpost.jp", "post.japanpost.jp"]),
    "ヤマト運輸": (["クロネコヤマト", "Yamato Transport"], []),
    "佐川急便": (["Sagawa"], []),
    "PayPay": (["ペイペイ"], []),
    "楽天市場": (["楽天", "Rakuten"], ["rakuten.co.jp", "rakuten.com", "rakuten-card.co.jp", "rakuten-bank.co.jp", "rakuten-sec.co.jp"]),
    "イオン銀行": (["イオンカード", "AEON"], ["aeon.co.jp", "aeonbank.co.jp", "aeon.com"]),
    "セゾンカード": (["SAISON"], []),
    "NTTドコモ": (["docomo", "ドコモ"], []),
    "ソフトバンク": (["SoftBank"], []),
    "国税庁": (["税務署", "e-Tax"], ["nta.go.jp", "e-tax.nta.go.jp"]),
    "マイナンバー": (["マイナポイント", "マイナポータル"], ["digital.go.jp", "myna.go.jp", "soumu.go.jp", "cao.go.jp"]),
    "American Express": (["アメックス", "Amex"], ["americanexpress.com", "aexp.com", "americanexpress.co.jp"]),
    "Microsoft": (["Outlook", "Office 365", "Microsoft 365", "OneDrive", "SharePoint", "Microsoft Teams", "マイクロソフト"],
                  ["microsoft.com", "office.com", "office365.com", "outlook.com", "live.com", "sharepoint.com",
                   "onmicrosoft.com", "microsoftonline.com", "1drv.ms", "aka.ms", "svc.ms", "microsoftproject.com",
                   "hotmail.com", "msn.com", "outlook.jp", "hotmail.co.jp", "live.jp", "microsoft365.com", "skype.com",
                   "office.net", "azure.com", "windows.net", "bing.com", "linkedin.com", "msftauthimages.net"]),
    "PayPal": (["ペイパル"], ["paypal.com", "paypal.jp", "paypal.co.uk", "paypal.de"]),
    "Coinbase": ([], ["coinbase.com"]),
    "Netflix": (["ネットフリックス"], ["netflix.com"]),
    "DocuSign": ([], ["docusign.com", "docusign.net"]),
    "Adobe": ([], ["adobe.com", "adobesign.com", "echosign.com"]),
    "QuickBooks": (["Intuit"], ["intuit.com", "quickbooks.com", "intuit.ca"]),
    "Meta": (["Facebook", "Instagram", "WhatsApp"], ["facebook.com", "facebookmail.com", "meta.com", "instagram.com", "whatsapp.com", "fb.com"]),
    "Google": (["Gmail", "YouTube", "Google Drive", "グーグル"], ["google.com", "gmail.com", "youtube.com", "google.co.jp", "googlemail.com", "1e100.net", "googleapis.com", "gstatic.com", "googleusercontent.com", "ggpht.com", "googletagmanager.com", "google-analytics.com", "googlesyndication.com", "doubleclick.net", "youtu.be", "googlegroups.com", "withgoogle.com", "goo.gl", "g.co"]),
    "LINE": (["LINEヤフー"], ["line.me", "linecorp.com", "lycorp.co.jp", "line-apps.com"]),
    "ゆうちょ銀行": (["ゆうちょ", "JP BANK"], ["jp-bank.japanpost.jp", "japanpost.jp"]),
    "コインチェック": (["Coincheck"], ["coincheck.com"]),
    "bitFlyer": (["ビットフライヤー"], ["bitflyer.com", "bitflyer.jp"]),
    "エポスカード": (["EPOS"], ["eposcard.co.jp", "0101.co.jp"]),
    "エムアイカード": (["MICARD", "MI CARD"], []),
    "ライフカード": (["LIFE CARD", "LIFEカード"], []),
    "ビューカード": (["VIEW CARD", "VIEWカード"], []),
    "UCカード": (["UC CARD"], []),
    "三菱UFJニコス": (["NICOS", "ニコス"], []),
    "Yahoo! JAPAN": (["Yahoo!JAPAN", "ヤフー"], []),
    "Visa": ([], []),
    "Twitter": (["=X"], ["twitter.com", "x.com"]),
    "DHL": ([], []),
}
EXTRA_BRANDS = {  # brand -> (category, domains): brands the fact lists lack
    "コインチェック": ("crypto", ["coincheck.com"]),
    "bitFlyer": ("crypto", ["bitflyer.com", "bitflyer.jp"]),
    "ゆうちょ銀行": ("bank", ["jp-bank.japanpost.jp", "japanpost.jp"]),
    "エポスカード": ("card", ["eposcard.co.jp", "0101.co.jp"]),
    "Coinbase": ("crypto", ["coinbase.com"]),
    "Netflix": ("media", ["netflix.com"]),
    "DocuSign": ("it", ["docusign.com", "docusign.net"]),
    "Adobe": ("it", ["adobe.com"]),
    "QuickBooks": ("finance", ["intuit.com", "quickbooks.com"]),
    "LINE": ("it", ["line.me", "linecorp.com"]),
    "Microsoft": ("it", ["microsoft.com"]),
    "PayPal": ("payment", ["paypal.com"]),
    "Google": ("it", ["google.com"]),
    "Apple": ("it", ["apple.com"]),
    "エムアイカード": ("card", ["micard.co.jp"]),
    "ライフカード": ("card", ["lifecard.co.jp"]),
    "アプラス": ("card", ["aplus.co.jp"]),
    "ビューカード": ("card", ["viewcard.co.jp"]),
    "UCカード": ("card", ["uccard.co.jp"]),
    "楽天カード": ("card", ["rakuten-card.co.jp"]),
    "三菱UFJニコス": ("card", ["cr.mufg.jp", "nicos.co.jp"]),
    "セブンカード": ("card", ["7card.co.jp"]),
    "dカード": ("card", ["dcard.docomo.ne.jp", "docomo.ne.jp"]),
    "ENEOSカード": ("card", ["eneos-card.jp"]),
    "出光カード": ("card", ["idemitsucard.com"]),
    "TS CUBIC CARD": ("card", ["tscubic.com"]),
    "Yahoo! JAPAN": ("it", ["yahoo.co.jp", "yahoo-net.jp"]),
}
GENERIC = {"市役所/区役所/町村役場", "県庁/都庁/府庁/道庁", "県警/府警/道警", "信用金庫", "信用組合", "裁判所",
           "Benefits enrollment impersonation", "Google Drive fake file share", "Sharepoint fake file share"}
CATEGORY = {"banks": "bank", "credit_cards": "card", "securities_insurance": "finance",
            "online_payment_ec": "shop", "telecom": "telecom", "transport_delivery": "delivery",
            "it": "it", "utilities": "utility", "government": "government"}

brands = {}  # key -> dict(names=[], domains=set(), category)

def clean_names(raw):
    names = []
    m = re.match(r"^(.*?)\s*\((.*)\)\s*$", raw)
    parts = [m.group(1), m.group(2)] if m else [raw]
    for p in parts:
        for n in p.split("/"):
            n = n.strip()
            if n:
                names.append(n)
    return names

def add(key, category, names, domains):
    b = brands.setdefault(key, {"names": [], "domains": set(), "category": category})
    for n in names:
        if n not in b["names"]:
            b["names"].append(n)
    b["domains"].update(x.lower() for x in domains)

for cat, entries in jp.items():
    if cat.startswith("_"):
        continue
    for raw, doms in entries.items():
        if raw in GENERIC:
            continue
        names = clean_names(raw)
        key = names[0]
        add(key, CATEGORY.get(cat, cat), names, doms)

MERGE = {"Outlook": "Microsoft", "Microsoft Teams": "Microsoft", "Sharepoint": "Microsoft",
         "Meta and subsidiaries": "Meta", "X (Twitter)": "Twitter", "Zoom (strict)": "Zoom",
         "PayPal": "PayPal", "Amazon": "Amazon"}
for raw, v in gl.items():
    name = raw.split(":", 1)[1].strip() if ":" in raw else raw
    for k, target in MERGE.items():
        if name.startswith(k):
            add(target, "global", [target] if target != k else [k], v["legit_sender_domains"])
            if k == "Outlook":
                add(target, "global", ["Outlook"], [])
            name = None
            break
    if name is None:
        continue
    if name in GENERIC or " with " in name or " fake " in name or "impersonation" in name.lower() \
            or "notification" in name or "invitation" in name or "(strict)" in name:
        continue
    names = clean_names(name)
    key = names[0]
    if key == "Meta and subsidiaries":
        key, names = "Meta", ["Meta"]
    if key in ("Github",):
        names = ["GitHub"]
    add(key, "global", names, v["legit_sender_domains"])

for key, (cat, doms) in EXTRA_BRANDS.items():
    add(key, cat, [key], doms)
for key, (names, doms) in ALIASES.items():
    if key in brands:
        add(key, brands[key]["category"], names, doms)

print("""# Brands and the registrable domains they really send mail from.
#
# Built by data/tools/make-brands.py from public fact lists: the Japanese
# brand/domain list derived from disco-v8/MilterAgent's filters (MIT) and
# the global list derived from sublime-security/sublime-rules (MIT), plus
# aliases (Latin, katakana and short forms people write) and domains added
# for sesguard from the brands' public sites.
#
# Format: one block per brand.
#   [id]             free-form id
#   category = ...   bank, card, shop, delivery, telecom, it, crypto, ...
#   names = A | B    names that identify the brand in a display name,
#                    subject or text; matched after NFKC and removal of
#                    invisible characters, case-insensitively, on word
#                    boundaries for Latin names; "=NAME" matches only a
#                    whole display name (short, ambiguous names: "=ETC")
#   domains = a b    registrable domains (and their subdomains) the brand
#                    sends from; mail naming the brand from elsewhere is
#                    impersonation
# Add a brand by adding a block; no rebuild is needed.
""")
for key in sorted(brands, key=lambda k: (brands[k]["category"], k)):
    b = brands[key]
    if not b["domains"]:
        continue
    names = [n for n in b["names"] if len(n.lstrip("=")) >= 2]
    print(f"[{key}]")
    print(f"category = {b['category']}")
    print("names = " + " | ".join(names))
    print("domains = " + " ".join(sorted(b["domains"])))
    print()
