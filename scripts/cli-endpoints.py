#!/usr/bin/env python3
"""cli-endpoints.py URL OUTDIR [SERVICE...] - endpoint rule sets that send the
AWS CLI's and boto3's calls of SERVICE (default: sts iam codecommit) to a
commitd server at URL, written as OUTDIR/SERVICE/VERSION/endpoint-rule-set-1.json,
the layout botocore searches in AWS_DATA_PATH.

Why: `--endpoint-url` reaches only the command's own client.  The AWS CLI
calls STS by itself for a profile with `role_arn` and `source_profile` (and
`aws codecommit credential-helper` does the same), and those calls would go
to AWS.  With these rule sets every client of the named services goes to
URL unless an endpoint URL is given explicitly:

    scripts/cli-endpoints.py http://127.0.0.1:8080 ~/.commitd/aws-data
    export AWS_DATA_PATH=~/.commitd/aws-data
    aws --profile role-in-B codecommit list-repositories
"""
import json
import os
import sys

BOTOCORE = os.environ.get(
    "BOTOCORE_DATA", "/usr/lib/python3/dist-packages/awscli/botocore/data")
VERSIONS = {"sts": "2011-06-15", "iam": "2010-05-08", "codecommit": "2015-04-13",
            "cloudtrail": "2013-11-01"}


def rule_set(svc, url):
    path = os.path.join(BOTOCORE, svc, VERSIONS[svc], "endpoint-rule-set-1.json")
    with open(path, encoding="utf-8") as f:
        params = json.load(f)["parameters"]   # the built-ins botocore binds
    endpoint = {"properties": {}, "headers": {}}
    return {
        "version": "1.0",
        "parameters": params,
        "rules": [
            {"conditions": [{"fn": "isSet", "argv": [{"ref": "Endpoint"}]}],
             "endpoint": dict(endpoint, url={"ref": "Endpoint"}), "type": "endpoint"},
            {"conditions": [], "endpoint": dict(endpoint, url=url), "type": "endpoint"},
        ],
    }


def main():
    if len(sys.argv) < 3 or not sys.argv[1].startswith(("http://", "https://")):
        sys.exit("usage: cli-endpoints.py URL OUTDIR [SERVICE...]  (URL: http://HOST:PORT)")
    url, outdir = sys.argv[1].rstrip("/"), sys.argv[2]
    services = sys.argv[3:] or ["sts", "iam", "codecommit"]
    for svc in services:
        if svc not in VERSIONS:
            sys.exit("cli-endpoints.py: unknown service %r (one of %s)" % (svc, ", ".join(VERSIONS)))
        out = os.path.join(outdir, svc, VERSIONS[svc])
        os.makedirs(out, exist_ok=True)
        with open(os.path.join(out, "endpoint-rule-set-1.json"), "w", encoding="utf-8") as f:
            json.dump(rule_set(svc, url), f, indent=1)
    print("wrote endpoint rule sets for %s to %s: export AWS_DATA_PATH=%s"
          % (" ".join(services), outdir, outdir))


if __name__ == "__main__":
    main()
