#!/usr/bin/env python3
"""Write the CloudTrail fixtures of tests/data/trail/ (deterministic).

The events are hand-written from the documented CloudTrail record shape
(AWS CloudTrail User Guide, "CloudTrail record contents") and the
requestParameters of the SES v1/v2, IAM, STS, Service Quotas and
CloudTrail API references. No public dataset contains SES abuse, so the
scenario follows the published 2023-2025 campaign descriptions: a leaked
long-term key, GetCallerIdentity, SES reconnaissance, PutAccountDetails
with production access to every region within ~10 s, new identities,
sending enabled, IAM persistence, StopLogging.

Scenario files:
  attack/*          the attack in every delivery shape (same events)
  s3/AWSLogs/...    the attack as S3 delivery (.json.gz per region, digest)
  benign/*          Trusted Advisor, an application polling its quota,
                    an administrator verifying a domain
  bad/*             truncated gzip, not JSON (for the error paths)
  hostile/*         markup and terminal escapes in logged strings
Run: python3 make-fixtures.py  (from this folder)
"""
import gzip
import json
import os
import shutil
import uuid
from datetime import datetime, timedelta, timezone

ACCOUNT = "111122223333"
LEAKED = "AKIA5QWTE7LEAKEDKEY4"
APPKEY = "AKIA5QWTE7APPP0LL3RQ".replace("0", "O")  # base32: no 0/1/8/9
USER_ARN = f"arn:aws:iam::{ACCOUNT}:user/ses-mailer"
APP_IP, APP_UA = "198.51.100.10", "aws-sdk-java/1.12.400 Linux/5.10.199 OpenJDK_64-Bit_Server_VM/17.0.9 java/17.0.9 vendor/Eclipse_Adoptium cfg/retry-mode/standard"
ATT_IP = "203.0.113.66"
ATT_UA = "Boto3/1.34.51 md/Botocore#1.34.51 ua/2.0 os/linux#6.6.9-amd64 md/distrib#kali Python/3.11.8"
REGIONS = ["us-east-1", "us-east-2", "us-west-1", "us-west-2", "ca-central-1", "eu-west-1",
           "eu-west-2", "eu-west-3", "eu-central-1", "eu-north-1", "eu-south-1", "ap-south-1",
           "ap-northeast-1", "ap-northeast-2", "ap-southeast-1", "ap-southeast-2", "sa-east-1"]

_n = [0]


def eid():
    _n[0] += 1
    return str(uuid.UUID(int=0x5E5A000000000000 << 64 | _n[0]))


def ts(t):
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def iam_user(key, arn=USER_ARN, user="ses-mailer"):
    return {"type": "IAMUser", "principalId": "AIDA5QWTE7SESMAILER01", "arn": arn,
            "accountId": ACCOUNT, "accessKeyId": key, "userName": user}


def rec(t, source, name, region, ident, ip, ua, params=None, response=None, error=None,
        read_only=None):
    r = {"eventVersion": "1.09", "userIdentity": ident, "eventTime": ts(t),
         "eventSource": source, "eventName": name, "awsRegion": region,
         "sourceIPAddress": ip, "userAgent": ua, "requestParameters": params,
         "responseElements": response, "requestID": eid(), "eventID": eid(),
         "readOnly": bool(read_only if read_only is not None else name.startswith(("Get", "List"))),
         "eventType": "AwsApiCall", "managementEvent": True, "recipientAccountId": ACCOUNT,
         "eventCategory": "Management",
         "tlsDetails": {"tlsVersion": "TLSv1.3", "cipherSuite": "TLS_AES_128_GCM_SHA256",
                        "clientProvidedHostHeader": f"{source.split('.')[0]}.{region}.amazonaws.com"}}
    if error:
        r["errorCode"] = error
        r["errorMessage"] = f"User: {ident.get('arn')} is not authorized to perform this action"
    return r


def attack_events():
    ev = []
    who = iam_user(LEAKED)
    # two days of the application reading its quota from its own address
    t = datetime(2025, 5, 10, 0, 5, 0, tzinfo=timezone.utc)
    for h in range(0, 48, 4):
        ev.append(rec(t + timedelta(hours=h), "ses.amazonaws.com", "GetSendQuota", "eu-west-1",
                      who, APP_IP, APP_UA))
    t = datetime(2025, 5, 12, 3, 14, 5, tzinfo=timezone.utc)
    def a(dt, src, name, region="us-east-1", params=None, resp=None, error=None):
        ev.append(rec(t + timedelta(seconds=dt), src, name, region, who, ATT_IP, ATT_UA,
                      params, resp, error))
    a(0, "sts.amazonaws.com", "GetCallerIdentity")
    a(3, "ses.amazonaws.com", "GetSendQuota")
    a(4, "ses.amazonaws.com", "GetAccount")
    a(5, "ses.amazonaws.com", "ListIdentities", params={"identityType": "Domain", "maxItems": 100})
    a(6, "ses.amazonaws.com", "ListEmailIdentities", params={"pageSize": 100})
    a(7, "ses.amazonaws.com", "GetAccountSendingEnabled")
    a(8, "ses.amazonaws.com", "GetIdentityVerificationAttributes", params={"identities": ["example.com"]})
    a(10, "servicequotas.amazonaws.com", "ListServiceQuotas", params={"serviceCode": "ses"})
    for i in range(25):  # probing what else the key may do
        a(12 + i * 2, "iam.amazonaws.com", "ListUsers", error="AccessDenied")
    details = {"mailType": "TRANSACTIONAL", "websiteURL": "https://notify-secure-login.com",
               "contactLanguage": "EN",
               "useCaseDescription": "We send account notifications to our registered users.",
               "additionalContactEmailAddresses": ["ops@notify-secure-login.com"],
               "productionAccessEnabled": True}
    for i, region in enumerate(REGIONS):  # every region within ten seconds
        a(70 + i * 0.6, "ses.amazonaws.com", "PutAccountDetails", region, params=details)
    a(120, "ses.amazonaws.com", "CreateEmailIdentity",
      params={"emailIdentity": "notify-secure-login.com"},
      resp={"identityType": "DOMAIN", "verifiedForSendingStatus": False})
    a(125, "ses.amazonaws.com", "VerifyEmailIdentity", params={"emailAddress": "support@notify-secure-login.com"})
    a(127, "ses.amazonaws.com", "VerifyDomainDkim", params={"domain": "notify-secure-login.com"},
      resp={"dkimTokens": ["abcdefghijklmnopqrstuvwxyz234567"]})
    a(140, "ses.amazonaws.com", "UpdateAccountSendingEnabled", params={"enabled": True})
    a(141, "ses.amazonaws.com", "PutAccountSendingAttributes", params={"sendingEnabled": True})
    a(150, "servicequotas.amazonaws.com", "RequestServiceQuotaIncrease",
      params={"serviceCode": "ses", "quotaCode": "L-804C8AE8", "desiredValue": 100000.0})
    a(200, "iam.amazonaws.com", "CreateUser", params={"userName": "ses-support"},
      resp={"user": {"userName": "ses-support", "userId": "AIDA5QWTE7SESSUPPORT1",
                     "arn": f"arn:aws:iam::{ACCOUNT}:user/ses-support"}})
    a(202, "iam.amazonaws.com", "CreateAccessKey", params={"userName": "ses-support"},
      resp={"accessKey": {"userName": "ses-support", "accessKeyId": "AKIA5QWTE7PERSIST2QA",
                          "status": "Active", "createDate": "May 12, 2025 3:17:27 AM"}})
    a(204, "iam.amazonaws.com", "AttachUserPolicy",
      params={"userName": "ses-support", "policyArn": "arn:aws:iam::aws:policy/AmazonSESFullAccess"})
    a(206, "iam.amazonaws.com", "CreateLoginProfile",
      params={"userName": "ses-support", "passwordResetRequired": False})
    a(300, "cloudtrail.amazonaws.com", "StopLogging",
      params={"name": f"arn:aws:cloudtrail:us-east-1:{ACCOUNT}:trail/management-events"})
    # the key made for persistence comes back from elsewhere
    back = iam_user("AKIA5QWTE7PERSIST2QA", f"arn:aws:iam::{ACCOUNT}:user/ses-support", "ses-support")
    for dt, name in ((3600, "GetCallerIdentity"), (3605, "GetSendQuota"), (3610, "GetSendStatistics")):
        ev.append(rec(t + timedelta(seconds=dt), "sts.amazonaws.com" if name == "GetCallerIdentity"
                      else "ses.amazonaws.com", name, "us-east-1", back, "192.0.2.200",
                      "aws-cli/2.15.30 Python/3.11.8 Windows/10 exe/AMD64 prompt/off"))
    return ev


def benign_events():
    ev = []
    ta = {"type": "AWSService", "invokedBy": "trustedadvisor.amazonaws.com"}
    t = datetime(2025, 5, 11, 6, 0, 0, tzinfo=timezone.utc)
    for i, region in enumerate(REGIONS):  # Trusted Advisor: every region within seconds
        ev.append(rec(t + timedelta(seconds=i * 0.3), "ses.amazonaws.com", "GetSendQuota", region,
                      ta, "trustedadvisor.amazonaws.com", "trustedadvisor.amazonaws.com"))
    app = iam_user(APPKEY, f"arn:aws:iam::{ACCOUNT}:user/newsletter-app", "newsletter-app")
    for m in range(0, 24 * 60, 10):  # an application polling its own quota all day
        ev.append(rec(t + timedelta(minutes=m), "ses.amazonaws.com", "GetSendQuota", "eu-west-1",
                      app, "198.51.100.20", "aws-sdk-go-v2/1.25.2 os/linux lang/go#1.22.1 api/ses#1.22.1"))
    admin = {"type": "IAMUser", "principalId": "AIDA5QWTE7ALICEADMIN1",
             "arn": f"arn:aws:iam::{ACCOUNT}:user/alice", "accountId": ACCOUNT,
             "accessKeyId": "ASIA5QWTE7CONSOLE2AB", "userName": "alice",
             "sessionContext": {"attributes": {"creationDate": "2025-05-11T09:00:00Z",
                                               "mfaAuthenticated": "true"}}}
    console = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36"
    t2 = datetime(2025, 5, 11, 9, 30, 0, tzinfo=timezone.utc)
    ev.append(rec(t2, "ses.amazonaws.com", "VerifyDomainIdentity", "eu-west-1", admin,
                  "192.0.2.45", console, {"domain": "mail.example.co.jp"},
                  {"verificationToken": "QTKknzFg2J4ygwa+XvHAxUl1hyHoY0gVfZdfjIedHZ0="}))
    ev.append(rec(t2 + timedelta(seconds=20), "ses.amazonaws.com", "VerifyDomainDkim", "eu-west-1",
                  admin, "192.0.2.45", console, {"domain": "mail.example.co.jp"}))
    ev.append(rec(t2 + timedelta(minutes=5), "ses.amazonaws.com", "GetIdentityVerificationAttributes",
                  "eu-west-1", admin, "192.0.2.45", console, {"identities": ["mail.example.co.jp"]}))
    return ev


def dump(path, obj, gz=False):
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    data = obj if isinstance(obj, str) else json.dumps(obj, separators=(",", ":"))
    if gz:
        with open(path, "wb") as f:  # mtime 0: reproducible bytes
            f.write(gzip.compress(data.encode(), mtime=0))
    else:
        with open(path, "w") as f:
            f.write(data)


def main():
    attack = attack_events()
    shuffled = attack[1::2] + attack[0::2]  # records come in any order
    dup = attack + [attack[len(attack) // 2]]  # the same eventID twice
    dump("attack/records.json", {"Records": shuffled})
    dump("attack/array.json", dup)
    dump("attack/lines.jsonl", "\n".join(json.dumps(r) for r in attack) + "\n")
    dump("attack/eventbridge.jsonl", "\n".join(json.dumps({
        "version": "0", "id": str(uuid.UUID(int=i + 1)), "detail-type": "AWS API Call via CloudTrail",
        "source": "aws." + r["eventSource"].split(".")[0], "account": ACCOUNT, "time": r["eventTime"],
        "region": r["awsRegion"], "resources": [], "detail": r}) for i, r in enumerate(attack)) + "\n")
    dump("attack/lookup-events.json", json.dumps({"Events": [{
        "EventId": r["eventID"], "EventName": r["eventName"], "ReadOnly": str(r["readOnly"]).lower(),
        "AccessKeyId": LEAKED, "EventTime": r["eventTime"], "EventSource": r["eventSource"],
        "Username": "ses-mailer", "Resources": [], "CloudTrailEvent": json.dumps(r)}
        for r in attack]}, indent=2))
    dump("attack/lake.json", {"QueryResultRows": [
        [{k: (json.dumps(v) if isinstance(v, (dict, list)) else v)} for k, v in r.items()
         if v is not None] for r in attack], "QueryStatus": "FINISHED"})
    # S3 delivery: one gzip per region and 5-minute slot, a digest to skip, an org trail path
    shutil.rmtree("s3", ignore_errors=True)
    by_file = {}
    for r in attack + benign_events()[:5]:
        t = datetime.strptime(r["eventTime"], "%Y-%m-%dT%H:%M:%SZ")
        slot = t.replace(minute=t.minute - t.minute % 5, second=0)
        by_file.setdefault((r["awsRegion"], slot), []).append(r)
    for i, ((region, slot), recs) in enumerate(sorted(by_file.items())):
        org = "o-a1b2c3d4e5/" if i % 2 else ""
        d = f"s3/AWSLogs/{org}{ACCOUNT}/CloudTrail/{region}/{slot:%Y/%m/%d}"
        name = f"{ACCOUNT}_CloudTrail_{region}_{slot:%Y%m%dT%H%MZ}_{i:016d}.json.gz"
        dump(f"{d}/{name}", {"Records": recs}, gz=True)
    dump(f"s3/AWSLogs/{ACCOUNT}/CloudTrail-Digest/us-east-1/2025/05/12/"
         f"{ACCOUNT}_CloudTrail-Digest_us-east-1_management_us-east-1_20250512T040000Z.json.gz",
         {"awsAccountId": ACCOUNT, "digestStartTime": "2025-05-12T03:00:00Z",
          "digestEndTime": "2025-05-12T04:00:00Z", "logFiles": [], "digestSignatureAlgorithm": "SHA256withRSA"},
         gz=True)
    benign = benign_events()
    dump("benign/trusted-advisor.json", {"Records": benign[:len(REGIONS)]})
    dump("benign/app-polling.json", {"Records": benign[len(REGIONS):-3]})
    dump("benign/admin-verifies-domain.json", {"Records": benign[-3:]})
    good = json.dumps({"Records": attack[:5]}).encode()
    os.makedirs("bad", exist_ok=True)
    with open("bad/truncated.json.gz", "wb") as f:
        f.write(gzip.compress(good, mtime=0)[:-40])
    dump("bad/not-json.json", "this is not CloudTrail\n")
    dump("bad/odd-fields.json", {"Records": [
        {"eventName": None, "eventTime": 12, "userIdentity": None},
        {"eventVersion": "1.08", "eventName": "GetSendQuota", "eventSource": "ses.amazonaws.com",
         "eventTime": "not a time", "userIdentity": {"type": None, "accessKeyId": ""},
         "requestParameters": "odd", "sourceIPAddress": None, "userAgent": "\u001b[31mred\u001b[0m <script>x</script>"},
        "just a string", 42, [], {}]})
    who = iam_user("AKIA5QWTE7H0ST1LE7XQ".replace("0", "O").replace("1", "I"))
    t = datetime(2025, 5, 13, 1, 0, 0, tzinfo=timezone.utc)
    dump("hostile/markup.json", {"Records": [
        rec(t, "cloudtrail.amazonaws.com", "StopLogging", "<img src=x onerror=alert(1)>", who,
            "\"><script>alert(1)</script>", "\u001b]0;pwned\u0007\u001b[2J</svg><script>alert(2)</script>",
            {"name": "</title><script>alert(3)</script>"})]})


if __name__ == "__main__":
    main()
