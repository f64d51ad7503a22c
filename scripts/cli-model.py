#!/usr/bin/env python3
"""cli-model.py SERVICE [OUTDIR] - the botocore model of SERVICE with commitd's
own operations (scripts/model-extras/SERVICE.json) merged in, so the AWS CLI
and boto3 can call them.  Without OUTDIR it prints the model; with OUTDIR it
writes OUTDIR/SERVICE/VERSION/service-2.json, the layout botocore searches
in AWS_DATA_PATH and ~/.aws/models.  For example:

    scripts/cli-model.py codecommit ~/.aws/models
    aws codecommit put-repository-policy --repository-name R --grants ...
"""
import json
import os
import sys

BOTOCORE = os.environ.get(
    "BOTOCORE_DATA", "/usr/lib/python3/dist-packages/awscli/botocore/data")
VERSIONS = {"codecommit": "2015-04-13"}


def main():
    if len(sys.argv) not in (2, 3) or sys.argv[1] not in VERSIONS:
        sys.exit("usage: cli-model.py codecommit [OUTDIR]")
    svc = sys.argv[1]
    version = VERSIONS[svc]
    with open(os.path.join(BOTOCORE, svc, version, "service-2.json"), encoding="utf-8") as f:
        model = json.load(f)
    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(here, "model-extras", svc + ".json"), encoding="utf-8") as f:
        extra = json.load(f)
    for k in ("operations", "shapes"):
        model[k].update(extra[k])
    text = json.dumps(model, indent=1)
    if len(sys.argv) == 2:
        print(text)
        return
    out = os.path.join(sys.argv[2], svc, version)
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "service-2.json"), "w", encoding="utf-8") as f:
        f.write(text)


if __name__ == "__main__":
    main()
