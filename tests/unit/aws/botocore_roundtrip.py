#!/usr/bin/python3
"""botocore_roundtrip.py - checks src/aws against botocore itself.

botocore (the copy inside the awscli package, as `aws` uses) serialises real
requests and we parse them; we write responses and botocore's own parsers
read them back.  The C half is test_aws_roundtrip__fixtures in the unit-test
binary, driven through AWS_ROUNDTRIP_DIR.  Prints "ok" and exits 0 on success.
Usage: botocore_roundtrip.py [path/to/unit-tests]   (default build/san/unit-tests)
"""
import calendar
import datetime
import json
import os
import subprocess
import sys
import tempfile
from urllib.parse import urlencode

try:
    from awscli.botocore import parsers, serialize, session
except ImportError:  # a standalone botocore will do
    from botocore import parsers, serialize, session

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", "..", ".."))
T0 = 1704164645  # 2024-01-02T03:04:05Z


def dt(t):
    return datetime.datetime.fromtimestamp(t, tz=datetime.timezone.utc)


def plain(v):
    """botocore values -> json-able values (datetimes -> epoch, bytes -> str)."""
    if isinstance(v, dict):
        return {k: plain(x) for k, x in v.items()}
    if isinstance(v, list):
        return [plain(x) for x in v]
    if isinstance(v, datetime.datetime):
        t = calendar.timegm(v.utctimetuple()) + v.microsecond / 1e6
        return int(t) if t == int(t) else t
    if isinstance(v, bytes):
        return v.decode("utf-8")
    return v


SESSION = session.get_session()


def model(svc, op):
    return SESSION.get_service_model(svc).operation_model(op)


# (name, service, op, params) requests serialised by botocore, parsed by us
REQUESTS = [
    ("iam_create_user", "iam", "CreateUser",
     {"UserName": "Sonali", "Path": "/dev/", "Tags": [{"Key": "team", "Value": "a b+c=d"},
                                                      {"Key": "k\u00e9", "Value": ""}]}),
    ("iam_list_users", "iam", "ListUsers", {"MaxItems": 10, "Marker": "m 1+2"}),
    ("iam_attach_user_policy", "iam", "AttachUserPolicy",
     {"UserName": "bob", "PolicyArn": "arn:aws:iam::aws:policy/ReadOnlyAccess"}),
    ("iam_tag_user", "iam", "TagUser",
     {"UserName": "u", "Tags": [{"Key": "k%d" % i, "Value": "v%d" % i} for i in range(1, 13)]}),
    ("iam_untag_user_empty", "iam", "UntagUser", {"UserName": "u", "TagKeys": []}),
    ("iam_update_password_policy", "iam", "UpdateAccountPasswordPolicy",
     {"MinimumPasswordLength": 12, "RequireSymbols": True, "RequireNumbers": False}),
    ("iam_simulate", "iam", "SimulatePrincipalPolicy",
     {"PolicySourceArn": "arn:aws:iam::123456789012:user/u", "ActionNames": ["s3:GetObject"],
      "ContextEntries": [{"ContextKeyName": "aws:CurrentTime", "ContextKeyType": "date",
                          "ContextKeyValues": ["2024-01-02T03:04:05Z"]}]}),
    ("sts_assume_role", "sts", "AssumeRole",
     {"RoleArn": "arn:aws:iam::123456789012:role/r", "RoleSessionName": "s1",
      "DurationSeconds": 3600, "PolicyArns": [{"arn": "arn:aws:iam::aws:policy/A"}],
      "Tags": [{"Key": "p", "Value": "q"}]}),
    ("sts_get_caller_identity", "sts", "GetCallerIdentity", {}),
    ("cc_get_repository", "codecommit", "GetRepository", {"repositoryName": "my-repo"}),
    ("cc_create_repository", "codecommit", "CreateRepository",
     {"repositoryName": "r", "repositoryDescription": "d \u00e9", "tags": {"a": "1", "b": "2"}}),
    ("cc_put_file", "codecommit", "PutFile",
     {"repositoryName": "r", "branchName": "main", "filePath": "a.txt",
      "fileContent": b"hello\n", "commitMessage": "m"}),
    ("ct_lookup_events", "cloudtrail", "LookupEvents",
     {"StartTime": dt(T0), "EndTime": dt(T0 + 60), "MaxResults": 5,
      "LookupAttributes": [{"AttributeKey": "EventName", "AttributeValue": "CreateUser"}]}),
]

# (name, service, op, params, aws_code, message) requests we must refuse
REJECTS = [
    ("iam_bad_name", "iam", "CreateUser", {"UserName": "a b"}, "ValidationError",
     "1 validation error detected: Value 'a b' at 'userName' failed to satisfy constraint: "
     "Member must satisfy regular expression pattern: [\\w+=,.@-]+"),
    ("cc_bad_repo", "codecommit", "GetRepository", {"repositoryName": "a/b"}, "ValidationException",
     "1 validation error detected: Value 'a/b' at 'repositoryName' failed to satisfy constraint: "
     "Member must satisfy regular expression pattern: [\\w\\.-]+"),
]

USER = {"Path": "/", "UserName": "alice", "UserId": "AIDAEXAMPLE1",
        "Arn": "arn:aws:iam::123456789012:user/alice", "CreateDate": T0}
# (name, service, op, result) responses we write, botocore parses
RESPONSES = [
    ("iam_list_users_out", "iam", "ListUsers",
     {"Users": [USER, {"Path": "/ops/", "UserName": "bob <&> \"q\" 'a'\n", "UserId": "AIDAEXAMPLE2",
                       "Arn": "arn:aws:iam::123456789012:user/ops/bob", "CreateDate": T0 + 0.5,
                       "PasswordLastUsed": T0 + 10,
                       "Tags": [{"Key": "k", "Value": "v \u00e9"}]}],
      "IsTruncated": True, "Marker": "next-marker"}),
    ("iam_create_user_out", "iam", "CreateUser", {"User": USER}),
    ("iam_get_account_summary_out", "iam", "GetAccountSummary",
     {"SummaryMap": {"Users": 2, "Groups": 0, "UsersQuota": 5000}}),
    ("iam_list_user_tags_out", "iam", "ListUserTags",
     {"Tags": [], "IsTruncated": False}),
    ("iam_create_access_key_out", "iam", "CreateAccessKey",
     {"AccessKey": {"UserName": "alice", "AccessKeyId": "AKIAEXAMPLE", "Status": "Active",
                    "SecretAccessKey": "wJalr/K7MDENG+bPxRfiCY", "CreateDate": T0}}),
    ("iam_get_credential_report_out", "iam", "GetCredentialReport",
     {"Content": "user,arn\n", "ReportFormat": "text/csv", "GeneratedTime": T0}),
    ("sts_get_caller_identity_out", "sts", "GetCallerIdentity",
     {"UserId": "AIDAEXAMPLE1", "Account": "123456789012",
      "Arn": "arn:aws:iam::123456789012:user/alice"}),
    ("sts_assume_role_out", "sts", "AssumeRole",
     {"Credentials": {"AccessKeyId": "ASIAEXAMPLE", "SecretAccessKey": "s/k+",
                      "SessionToken": "tok==", "Expiration": T0 + 3600},
      "AssumedRoleUser": {"AssumedRoleId": "AROAEXAMPLE:s1",
                          "Arn": "arn:aws:sts::123456789012:assumed-role/r/s1"},
      "PackedPolicySize": 6, "SourceIdentity": "me"}),
    ("cc_get_repository_out", "codecommit", "GetRepository",
     {"repositoryMetadata": {"accountId": "123456789012", "repositoryId": "abc",
                             "repositoryName": "r", "creationDate": T0,
                             "lastModifiedDate": T0 + 0.25,
                             "cloneUrlHttp": "https://h/v1/repos/r"}}),
    ("cc_get_blob_out", "codecommit", "GetBlob", {"content": "hello\n"}),
    ("cc_list_tags_out", "codecommit", "ListTagsForResource", {"tags": {"a": "1"}}),
]


def check(cond, what):
    if not cond:
        print("FAIL:", what)
        sys.exit(1)


def main():
    binary = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "build", "san", "unit-tests")
    cases = {}
    with tempfile.TemporaryDirectory() as d:
        def put(name, case):
            cases[name] = case
            with open(os.path.join(d, name + ".in.json"), "w") as f:
                json.dump(case, f)

        for name, svc, op, params in REQUESTS + [r[:4] for r in REJECTS]:
            om = model(svc, op)
            proto = om.metadata["protocol"]
            req = serialize.create_serializer(proto).serialize_to_request(params, om)
            if proto == "query":
                body = urlencode(req["body"], doseq=True)
                kind = "query_in"
            else:
                body = req["body"].decode("utf-8") if isinstance(req["body"], bytes) else req["body"]
                kind = "json_in"
            put(name, {"service": svc, "op": op, "kind": kind, "body": body})
        for name, svc, op, result in RESPONSES:
            proto = model(svc, op).metadata["protocol"]
            put(name, {"service": svc, "op": op, "result": result,
                       "kind": "xml_out" if proto == "query" else "json_out"})
        put("iam_error", {"service": "iam", "kind": "xml_error",
                          "error": {"Type": "Sender", "Code": "NoSuchEntity",
                                    "Message": "The user with name <x> cannot be found."}})
        put("cc_error", {"service": "codecommit", "kind": "json_error",
                         "error": {"Code": "RepositoryDoesNotExistException",
                                   "Message": "r does not exist"}})

        env = dict(os.environ, AWS_ROUNDTRIP_DIR=d)
        p = subprocess.run([binary, "test_aws_roundtrip__fixtures"], env=env,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        check(p.returncode == 0, "unit-tests failed:\n" + p.stdout.decode(errors="replace"))
        outs = {}
        for name in cases:
            with open(os.path.join(d, name + ".out.json")) as f:
                outs[name] = json.load(f)

    for name, svc, op, params in REQUESTS:
        got = outs[name]
        check("parsed" in got, "%s: %s" % (name, got))
        want = plain(params)
        check(got["parsed"] == want, "%s: parsed %r, want %r" % (name, got["parsed"], want))
    for name, svc, op, params, code, msg in REJECTS:
        got = outs[name]
        check(got.get("error") == code and got.get("message") == msg, "%s: %r" % (name, got))

    for name, svc, op, result in RESPONSES:
        om = model(svc, op)
        proto = om.metadata["protocol"]
        got = outs[name]
        check("body" in got, "%s: %s" % (name, got))
        parser = parsers.create_parser(proto)
        parsed = parser.parse({"body": got["body"].encode("utf-8"), "headers": {},
                               "status_code": 200}, om.output_shape)
        meta = parsed.pop("ResponseMetadata", {})
        if proto == "query":
            check(meta.get("RequestId") == "rid-1", "%s: request id %r" % (name, meta))
        parsed = plain(parsed)
        check(parsed == result, "%s:\n got  %r\n want %r\n%s" % (name, parsed, result, got["body"]))

    err = parsers.create_parser("query").parse(
        {"body": outs["iam_error"]["body"].encode("utf-8"), "headers": {}, "status_code": 404}, None)
    check(err["Error"] == {"Type": "Sender", "Code": "NoSuchEntity",
                           "Message": "The user with name <x> cannot be found."}, repr(err))
    check(err["ResponseMetadata"]["RequestId"] == "rid-2", repr(err))
    err = parsers.create_parser("json").parse(
        {"body": outs["cc_error"]["body"].encode("utf-8"), "headers": {}, "status_code": 400}, None)
    check(err["Error"]["Code"] == "RepositoryDoesNotExistException" and
          err["Error"]["Message"] == "r does not exist", repr(err))
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
