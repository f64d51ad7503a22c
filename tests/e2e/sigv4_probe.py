"""sigv4_probe.py ENDPOINT KEY SECRET - raw, hand-signed requests against
commitd, printing one "ok - ..." / "not ok - ..." line per check, as the AWS
SDKs would see them.  Signing is botocore's own (SigV4Auth, SigV4QueryAuth),
so the server is checked against the reference implementation."""
import datetime
import hashlib
import sys
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET

from botocore.auth import SigV4Auth, SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

endpoint, key, secret = sys.argv[1:4]
creds = Credentials(key, secret)
failures = 0


def send(method, url, body=b"", headers=None):
    req = urllib.request.Request(url, data=body if method == "POST" else None,
                                 method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def code_of(body):
    try:
        root = ET.fromstring(body)
    except ET.ParseError:
        return None
    for el in root.iter():
        if el.tag.endswith("Code"):
            return el.text
    return None


def check(desc, cond, detail=""):
    global failures
    if cond:
        print("ok - " + desc)
    else:
        failures += 1
        print("not ok - " + desc + (" # " + detail if detail else ""))


def add_auth_at(auth, req, when):
    """Signs req as if the clock read `when` (botocore reads utcnow())."""
    if when is None:
        auth.add_auth(req)
        return
    real = datetime.datetime

    class Fixed(datetime.datetime):
        @classmethod
        def utcnow(cls):
            return when
    datetime.datetime = Fixed
    try:
        auth.add_auth(req)
    finally:
        datetime.datetime = real


def signed(params, credentials=creds, service="iam", extra_headers=None, when=None,
           body=None):
    if body is None:
        body = "&".join("%s=%s" % kv for kv in params.items())
    headers = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}
    headers.update(extra_headers or {})
    req = AWSRequest(method="POST", url=endpoint + "/", data=body, headers=headers)
    add_auth_at(SigV4Auth(credentials, service, "us-east-1"), req, when)
    return req


def post(req, body_override=None):
    body = req.body if body_override is None else body_override
    if isinstance(body, str):
        body = body.encode()
    return send("POST", req.url, body, dict(req.headers.items()))


get_user = {"Action": "GetUser", "Version": "2010-05-08"}

st, body = post(signed(get_user))
check("a request signed by botocore is accepted", st == 200, "%d %s" % (st, body[:200]))

st, body = send("POST", endpoint + "/", b"Action=GetUser&Version=2010-05-08",
                {"Content-Type": "application/x-www-form-urlencoded"})
check("an unsigned request is MissingAuthenticationToken/403",
      st == 403 and code_of(body) == "MissingAuthenticationToken", "%d %s" % (st, body))

st, body = send("POST", endpoint + "/", b"Action=GetUser&Version=2010-05-08",
                {"Content-Type": "application/x-www-form-urlencoded",
                 "Authorization": "AWS4-HMAC-SHA256 Credential=%s/20240101/us-east-1/iam/aws4_request" % key,
                 "X-Amz-Date": "20240101T000000Z"})
check("an Authorization header without Signature is IncompleteSignature/400",
      st == 400 and code_of(body) == "IncompleteSignature", "%d %s" % (st, body))

st, body = post(signed(get_user, Credentials(key, "x" * 40)))
check("a wrong secret is SignatureDoesNotMatch/403",
      st == 403 and code_of(body) == "SignatureDoesNotMatch", "%d %s" % (st, body))

st, body = post(signed(get_user, Credentials("AKIAAAAAAAAAAAAAAAAA", secret)))
check("an unknown key is InvalidClientTokenId/403",
      st == 403 and code_of(body) == "InvalidClientTokenId", "%d %s" % (st, body))

old = datetime.datetime.utcnow() - datetime.timedelta(minutes=20)
st, body = post(signed(get_user, when=old))
check("a request signed 20 minutes ago is refused as expired",
      st == 403 and code_of(body) == "SignatureDoesNotMatch" and b"Signature expired" in body,
      "%d %s" % (st, body))

new = datetime.datetime.utcnow() + datetime.timedelta(minutes=20)
st, body = post(signed(get_user, when=new))
check("a request signed 20 minutes in the future is refused",
      st == 403 and code_of(body) == "SignatureDoesNotMatch", "%d %s" % (st, body))

req = signed(get_user)
st, body = post(req, req.body + b"&UserName=admin")
check("a body changed after signing is SignatureDoesNotMatch",
      st == 403 and code_of(body) == "SignatureDoesNotMatch", "%d %s" % (st, body))

req = signed(get_user, extra_headers={"X-Amz-Content-SHA256": "UNSIGNED-PAYLOAD"})
st, body = post(req)
check("x-amz-content-sha256: UNSIGNED-PAYLOAD is accepted", st == 200, "%d %s" % (st, body[:200]))

bogus = hashlib.sha256(b"something else").hexdigest()
req = signed(get_user, extra_headers={"X-Amz-Content-SHA256": bogus})
st, body = post(req)
check("an x-amz-content-sha256 that does not match the body is refused",
      st == 403 and code_of(body) == "SignatureDoesNotMatch", "%d %s" % (st, body))

# presigned (query) form
def presigned(params, expires=60, when=None):
    req = AWSRequest(method="GET", url=endpoint + "/", params=params)
    add_auth_at(SigV4QueryAuth(creds, "iam", "us-east-1", expires=expires), req, when)
    return req.url


st, body = send("GET", presigned(get_user))
check("a presigned GET is accepted", st == 200 and b"<UserName>" in body, "%d %s" % (st, body[:200]))
st, body = send("GET", presigned(get_user, expires=60,
                                 when=datetime.datetime.utcnow() - datetime.timedelta(minutes=2)))
check("an expired presigned URL is RequestExpired",
      code_of(body) == "RequestExpired", "%d %s" % (st, body))

# protocol errors
st, body = post(signed({"Action": "NoSuchThing", "Version": "2010-05-08"}))
check("an unknown action is InvalidAction/400",
      st == 400 and code_of(body) == "InvalidAction", "%d %s" % (st, body))
st, body = post(signed({"Action": "GetUser", "Version": "2099-01-01"}))
check("an unknown version is refused with InvalidAction",
      st == 400 and code_of(body) == "InvalidAction" and b"2099-01-01" in body, "%d %s" % (st, body))
st, body = post(signed({}, body="Action=GetUser&Version=2010-05-08&UserName=%zz"))
check("a malformed query string is MalformedQueryString",
      code_of(body) == "MalformedQueryString", "%d %s" % (st, body))
st, body = post(signed({"Action": "CreateUser", "Version": "2010-05-08"}))
check("a missing required parameter is ValidationError",
      st == 400 and code_of(body) == "ValidationError" and b"userName" in body, "%d %s" % (st, body))

# a client announcing a 20 MiB body (over the 10 MiB default) is refused before it sends it
import socket
import urllib.parse
u = urllib.parse.urlsplit(endpoint)
with socket.create_connection((u.hostname, u.port), timeout=10) as s:
    s.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
              b"Content-Length: 20971520\r\n\r\n")
    reply = s.recv(4096)
check("a 20 MiB body is refused with 413", reply.startswith(b"HTTP/1.1 413"), repr(reply[:40]))

# a refused request changes nothing
req = signed({"Action": "CreateUser", "Version": "2010-05-08", "UserName": "Mallory"},
             Credentials(key, "y" * 40))
post(req)
st, body = post(signed({"Action": "GetUser", "Version": "2010-05-08", "UserName": "Mallory"}))
check("a badly signed CreateUser created nothing",
      st == 404 and code_of(body) == "NoSuchEntity", "%d %s" % (st, body))

# the JSON protocol answers in its own shape
req = AWSRequest(method="POST", url=endpoint + "/", data="{}",
                 headers={"X-Amz-Target": "CodeCommit_20150413.NoSuchOperation",
                          "Content-Type": "application/x-amz-json-1.1"})
SigV4Auth(creds, "codecommit", "us-east-1").add_auth(req)
st, body = post(req)
check("an unknown JSON operation answers a JSON error",
      st == 400 and b'"__type"' in body and b"UnknownOperationException" in body, "%d %s" % (st, body))

# a flood of failed authentications from one address is throttled, and the
# address gets its chances back over time (AUTH_FAIL_BURST, AUTH_FAIL_RATE)
codes = []
for i in range(80):
    st, body = post(signed(get_user, Credentials(key, "z" * 40)))
    codes.append(code_of(body))
check("repeated failed authentications are throttled",
      codes[0] == "SignatureDoesNotMatch" and codes[-1] == "Throttling", "%s ... %s" % (codes[0], codes[-1]))
st, body = post(signed(get_user))
check("a throttled address is refused even with good credentials, as Throttling",
      st == 400 and code_of(body) == "Throttling" and b"failed authentications" in body, "%d %s" % (st, body))
import time
time.sleep(3)
st, body = post(signed(get_user))
check("the address earns its chances back", st == 200, "%d %s" % (st, body[:200]))

print("%d failed checks" % failures)
sys.exit(1 if failures else 0)
