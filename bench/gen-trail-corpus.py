#!/usr/bin/env python3
"""Generate a synthetic CloudTrail corpus for bench-trail.sh.

usage: gen-trail-corpus.py OUTDIR [RECORDS]   (default 1,000,000 records)

Writes OUTDIR/AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/*.json.gz,
each a gzip (level 6, like CloudTrail) of {"Records":[...]} with 2,000
records, about 1.4 KB of JSON per record as documented for real
management events: a mix of IAM users and assumed roles, SDK and console
user agents, read and write calls with requestParameters and
responseElements, some errors, and one SES takeover hidden in the middle.
Deterministic (fixed seed) so figures are comparable between runs.
"""
import gzip
import json
import os
import random
import sys
from datetime import datetime, timedelta, timezone

out = sys.argv[1]
total = int(sys.argv[2]) if len(sys.argv) > 2 else 1_000_000
PER_FILE = 2000
rnd = random.Random(6)
ACCOUNT = "111122223333"
REGIONS = ["us-east-1", "us-east-2", "us-west-2", "eu-west-1", "eu-central-1", "ap-northeast-1"]
B32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
USERS = [(f"user-{i:03d}", "AKIA" + "".join(rnd.choice(B32) for _ in range(16)),
          f"10.{i % 250}.{rnd.randrange(250)}.{rnd.randrange(250)}") for i in range(300)]
ROLES = [f"app-role-{i:02d}" for i in range(40)]
UAS = ["aws-sdk-java/1.12.400 Linux/5.10.199 OpenJDK_64-Bit_Server_VM/17.0.9 java/17.0.9 vendor/Eclipse_Adoptium cfg/retry-mode/standard",
       "Boto3/1.34.51 md/Botocore#1.34.51 ua/2.0 os/linux#5.15.0 md/arch#x86_64 lang/python#3.11.8 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.34.51",
       "aws-cli/2.15.30 Python/3.11.8 Linux/6.1.0 exe/x86_64.debian.12 prompt/off command/s3api.list-objects-v2",
       "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
       "APN/1.0 HashiCorp/1.0 Terraform/1.7.4 (+https://www.terraform.io) terraform-provider-aws/5.40.0 (+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.25.3 ua/2.0 os/linux lang/go#1.21.8 md/GOOS#linux md/GOARCH#amd64 api/ec2#1.150.0"]
EVENTS = [("ec2.amazonaws.com", "DescribeInstances", {"instancesSet": {}, "filterSet": {"items": [{"name": "instance-state-name", "valueSet": {"items": [{"value": "running"}]}}]}}),
          ("s3.amazonaws.com", "GetBucketAcl", {"bucketName": "logs-archive-111122223333", "Host": "logs-archive-111122223333.s3.amazonaws.com", "acl": ""}),
          ("kms.amazonaws.com", "Decrypt", {"encryptionAlgorithm": "SYMMETRIC_DEFAULT", "encryptionContext": {"aws:lambda:FunctionArn": "arn:aws:lambda:us-east-1:111122223333:function:orders"}}),
          ("sts.amazonaws.com", "AssumeRole", {"roleArn": "arn:aws:iam::111122223333:role/app-role-01", "roleSessionName": "session", "durationSeconds": 3600}),
          ("ssm.amazonaws.com", "GetParameter", {"name": "/prod/orders/db-url", "withDecryption": True}),
          ("iam.amazonaws.com", "GetUser", {"userName": "user-001"}),
          ("ses.amazonaws.com", "GetSendQuota", None),
          ("logs.amazonaws.com", "CreateLogStream", {"logGroupName": "/aws/lambda/orders", "logStreamName": "2025/05/12/[$LATEST]0123456789abcdef0123456789abcdef"}),
          ("ec2.amazonaws.com", "DescribeSecurityGroups", {"securityGroupSet": {}, "securityGroupIdSet": {"items": [{"groupId": "sg-0123456789abcdef0"}]}, "filterSet": {}}),
          ("secretsmanager.amazonaws.com", "GetSecretValue", {"secretId": "arn:aws:secretsmanager:us-east-1:111122223333:secret:prod/orders-AbCdEf"})]


def hexid(n):
    return "".join(rnd.choice("0123456789abcdef") for _ in range(n))


def uid():
    return f"{hexid(8)}-{hexid(4)}-{hexid(4)}-{hexid(4)}-{hexid(12)}"


def record(t, i):
    src, name, params = EVENTS[i % len(EVENTS)] if rnd.random() < 0.9 else rnd.choice(EVENTS)
    region = rnd.choice(REGIONS)
    if rnd.random() < 0.7:
        user, key, ip = rnd.choice(USERS)
        ident = {"type": "IAMUser", "principalId": "AIDA" + key[4:], "arn": f"arn:aws:iam::{ACCOUNT}:user/{user}",
                 "accountId": ACCOUNT, "accessKeyId": key, "userName": user}
    else:
        role = rnd.choice(ROLES)
        ip = f"172.31.{rnd.randrange(250)}.{rnd.randrange(250)}"
        ident = {"type": "AssumedRole", "principalId": "AROA5QWTE7EXAMPLE" + hexid(3).upper() + ":i-" + hexid(17),
                 "arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/{role}/i-{hexid(17)}", "accountId": ACCOUNT,
                 "accessKeyId": "ASIA" + "".join(rnd.choice(B32) for _ in range(16)),
                 "sessionContext": {"sessionIssuer": {"type": "Role", "principalId": "AROA5QWTE7EXAMPLE",
                                                      "arn": f"arn:aws:iam::{ACCOUNT}:role/{role}", "accountId": ACCOUNT,
                                                      "userName": role},
                                    "attributes": {"creationDate": (t - timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%SZ"),
                                                   "mfaAuthenticated": "false"},
                                    "ec2RoleDelivery": "2.0"}}
    r = {"eventVersion": "1.09", "userIdentity": ident, "eventTime": t.strftime("%Y-%m-%dT%H:%M:%SZ"),
         "eventSource": src, "eventName": name, "awsRegion": region, "sourceIPAddress": ip,
         "userAgent": rnd.choice(UAS), "requestParameters": params,
         "responseElements": None if name.startswith(("Get", "Describe", "Decrypt")) else {"requestId": uid()},
         "requestID": uid(), "eventID": uid(), "readOnly": name.startswith(("Get", "Describe", "Decrypt")),
         "eventType": "AwsApiCall", "managementEvent": True, "recipientAccountId": ACCOUNT, "eventCategory": "Management",
         "tlsDetails": {"tlsVersion": "TLSv1.3", "cipherSuite": "TLS_AES_128_GCM_SHA256",
                        "clientProvidedHostHeader": f"{src.split('.')[0]}.{region}.amazonaws.com"}}
    r["resources"] = [{"accountId": ACCOUNT, "type": "AWS::" + src.split(".")[0].upper() + "::Resource",
                       "ARN": f"arn:aws:{src.split('.')[0]}:{region}:{ACCOUNT}:resource/{hexid(16)}"}]
    if rnd.random() < 0.5:
        r["additionalEventData"] = {"SignatureVersion": "SigV4", "CipherSuite": "TLS_AES_128_GCM_SHA256",
                                    "bytesTransferredIn": 0, "AuthenticationMethod": "AuthHeader",
                                    "x-amz-id-2": hexid(76), "bytesTransferredOut": rnd.randrange(100, 5000)}
    if rnd.random() < 0.03:
        r["errorCode"] = "AccessDenied"
        r["errorMessage"] = f"User: {ident['arn']} is not authorized to perform: {src.split('.')[0]}:{name}"
    return r


def attack(t):
    key = "AKIA5QWTE7LEAKEDKEY4"
    ident = {"type": "IAMUser", "principalId": "AIDA5QWTE7SESMAILER01", "arn": f"arn:aws:iam::{ACCOUNT}:user/ses-mailer",
             "accountId": ACCOUNT, "accessKeyId": key, "userName": "ses-mailer"}
    evs = [("sts.amazonaws.com", "GetCallerIdentity", "us-east-1", None)]
    evs += [("ses.amazonaws.com", n, "us-east-1", None) for n in ("GetSendQuota", "GetAccount", "ListIdentities", "ListEmailIdentities")]
    evs += [("ses.amazonaws.com", "PutAccountDetails", r, {"mailType": "TRANSACTIONAL", "websiteURL": "https://notify-secure-login.com",
             "productionAccessEnabled": True}) for r in REGIONS]
    evs += [("ses.amazonaws.com", "CreateEmailIdentity", "us-east-1", {"emailIdentity": "notify-secure-login.com"}),
            ("ses.amazonaws.com", "UpdateAccountSendingEnabled", "us-east-1", {"enabled": True})]
    return [{"eventVersion": "1.09", "userIdentity": ident, "eventTime": (t + timedelta(seconds=i)).strftime("%Y-%m-%dT%H:%M:%SZ"),
             "eventSource": s, "eventName": n, "awsRegion": reg, "sourceIPAddress": "203.0.113.66",
             "userAgent": "Boto3/1.34.51 md/distrib#kali Python/3.11.8", "requestParameters": p, "responseElements": None,
             "requestID": uid(), "eventID": uid(), "eventType": "AwsApiCall", "managementEvent": True,
             "recipientAccountId": ACCOUNT} for i, (s, n, reg, p) in enumerate(evs)]


t0 = datetime(2025, 5, 1, tzinfo=timezone.utc)
done = 0
fileno = 0
while done < total:
    n = min(PER_FILE, total - done)
    t = t0 + timedelta(seconds=done * 2)
    recs = [record(t + timedelta(milliseconds=k * 2000), done + k) for k in range(n)]
    if fileno == (total // PER_FILE) // 2:
        recs[:20] = attack(t)
    rnd.shuffle(recs)
    region = REGIONS[fileno % len(REGIONS)]
    d = os.path.join(out, "AWSLogs", ACCOUNT, "CloudTrail", region, t.strftime("%Y/%m/%d"))
    os.makedirs(d, exist_ok=True)
    name = f"{ACCOUNT}_CloudTrail_{region}_{t:%Y%m%dT%H%MZ}_{fileno:016X}.json.gz"
    with open(os.path.join(d, name), "wb") as f:
        f.write(gzip.compress(json.dumps({"Records": recs}, separators=(",", ":")).encode(), compresslevel=6, mtime=0))
    done += n
    fileno += 1
print(f"{total} records in {fileno} files under {out}")
