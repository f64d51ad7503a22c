#!/usr/bin/env python3
"""sigv4_vectors.py - recompute, with botocore and the AWS CLI's own code, the
expected values that tests/unit/auth/sigv4.c checks (run it and compare).

  python3 tests/unit/auth/sigv4_vectors.py           # botocore from sys.path
  /usr/bin/python3 tests/unit/auth/sigv4_vectors.py  # Debian's awscli, for the git password

Nothing here is copied from the AWS test suite: each request is written out
below and signed by botocore.auth.SigV4Auth at a fixed time.
"""
import datetime
import sys

import botocore.auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

KEY_ID = 'AKIDEXAMPLE'
SECRET = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY'
WHEN = datetime.datetime(2015, 8, 30, 12, 36, 0)
TOKEN = ('AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwA'
         'eMicRXmxfpSPfIeoIYRqTflfKD8YUuwthAx7mSEI/qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phU'
         'ZampKsburEDy0KPkyQDYwT7WZ0wq5VSXDvp75YU9HFvlRd8Tx6q6fE8YQcHNVXAkiY9q6d+xo0rKwT38xV'
         'qr7ZD0u0iPPkUL64lIZbqBAz+scqKmlzm8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2IC'
         'CR/oLxBA==')


_dt = datetime


class FixedDateTime(datetime.datetime):
    @classmethod
    def utcnow(cls):
        return cls(WHEN.year, WHEN.month, WHEN.day, WHEN.hour, WHEN.minute, WHEN.second)

    @classmethod
    def now(cls, tz=None):
        return cls.utcnow()


class FixedDateTimeModule:
    datetime = FixedDateTime
    timezone = _dt.timezone
    timedelta = _dt.timedelta


def freeze(module):
    if hasattr(module, 'get_current_datetime'):
        module.get_current_datetime = lambda *a, **k: FixedDateTime.utcnow()
    module.datetime = FixedDateTimeModule


freeze(botocore.auth)

H = [('Host', 'example.amazonaws.com')]
# name, method, raw path, raw query, headers (in order, repeats allowed), body, service, host, token
CASES = [
    ('iam-list-users', 'GET', '/', 'Action=ListUsers&Version=2010-05-08',
     [('Host', 'iam.amazonaws.com'),
      ('Content-Type', 'application/x-www-form-urlencoded; charset=utf-8')], b'', 'iam', None),
    ('get-vanilla', 'GET', '/', '', H, b'', 'service', None),
    ('post-vanilla', 'POST', '/', '', H, b'', 'service', None),
    ('get-vanilla-query-order-key-case', 'GET', '/', 'Param2=value2&Param1=value1', H, b'', 'service', None),
    ('get-vanilla-query-order-key', 'GET', '/', 'Param1=value2&Param1=Value1', H, b'', 'service', None),
    ('get-vanilla-query-order-value', 'GET', '/', 'Param1=value2&Param1=value1', H, b'', 'service', None),
    ('get-vanilla-query-order-encoded', 'GET', '/', 'Param-3=Value3&Param=Value2&%E1%88%B4=Value1', H, b'', 'service', None),
    ('get-vanilla-query-unreserved', 'GET', '/',
     '-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz='
     '-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz', H, b'', 'service', None),
    ('get-vanilla-utf8-query', 'GET', '/', '%E1%88%B4=bar', H, b'', 'service', None),
    ('post-vanilla-query', 'POST', '/', 'Param1=value1', H, b'', 'service', None),
    ('get-utf8', 'GET', '/\u1234', '', H, b'', 'service', None),
    ('get-unreserved', 'GET', '/-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz', '', H, b'', 'service', None),
    ('get-space', 'GET', '/example space/', '', H, b'', 'service', None),
    ('get-space-encoded', 'GET', '/example%20space/', '', H, b'', 'service', None),
    ('get-special-character', 'GET', '/example/$delete', '', H, b'', 'service', None),
    ('get-relative', 'GET', '/example/..', '', H, b'', 'service', None),
    ('get-relative-relative', 'GET', '/example1/example2/../..', '', H, b'', 'service', None),
    ('get-slash', 'GET', '//', '', H, b'', 'service', None),
    ('get-slash-dot-slash', 'GET', '/./', '', H, b'', 'service', None),
    ('get-slash-pointless-dot', 'GET', '/./example', '', H, b'', 'service', None),
    ('get-slashes', 'GET', '//example//', '', H, b'', 'service', None),
    ('get-header-key-duplicate', 'GET', '/', '',
     H + [('My-Header1', 'value2'), ('My-Header1', 'value2'), ('My-Header1', 'value1')], b'', 'service', None),
    ('get-header-value-order', 'GET', '/', '',
     H + [('My-Header1', 'value4'), ('My-Header1', 'value1'), ('My-Header1', 'value3'),
          ('My-Header1', 'value2')], b'', 'service', None),
    ('get-header-value-trim', 'GET', '/', '',
     H + [('My-Header1', ' value1'), ('My-Header2', ' "a   b   c"')], b'', 'service', None),
    ('get-header-value-multiline', 'GET', '/', '',
     H + [('My-Header1', 'value1\n  value2\n     value3')], b'', 'service', None),
    ('post-header-key-sort', 'POST', '/', '', H + [('My-Header1', 'value1')], b'', 'service', None),
    ('post-header-key-case', 'POST', '/', '', [('HOST', 'example.amazonaws.com')], b'', 'service', None),
    ('post-header-value-case', 'POST', '/', '', H + [('My-Header1', 'VALUE1')], b'', 'service', None),
    ('post-x-www-form-urlencoded', 'POST', '/', '',
     [('Content-Type', 'application/x-www-form-urlencoded')] + H, b'Param1=value1', 'service', None),
    ('post-x-www-form-urlencoded-parameters', 'POST', '/', '',
     [('Content-Type', 'application/x-www-form-urlencoded; charset=utf8')] + H, b'Param1=value1', 'service', None),
    ('post-sts-header-before', 'POST', '/', '', H, b'', 'service', TOKEN),
    ('post-unsigned-payload', 'POST', '/', '',
     H + [('X-Amz-Content-SHA256', 'UNSIGNED-PAYLOAD')], b'{"a":1}', 'service', None),
    ('post-content-sha256', 'POST', '/', '',
     H + [('X-Amz-Content-SHA256', 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855')],
     b'', 'service', None),
    ('get-date-header', 'GET', '/', '', H + [('Date', 'x')], b'', 'service', None),
    ('post-json-body', 'POST', '/', '',
     H + [('Content-Type', 'application/x-amz-json-1.1'),
          ('X-Amz-Target', 'CodeCommit_20150413.ListRepositories')], b'{}', 'codecommit', None),
]


def sign(name, method, path, query, headers, body, service, token):
    host = [v for k, v in headers if k.lower() == 'host'][0]
    url = 'https://' + host + path + ('?' + query if query else '')
    req = AWSRequest(method=method, url=url, data=body)
    for k, v in headers:
        req.headers[k] = v  # appends: repeated names are kept
    if not any(k.lower() == 'date' for k, _ in headers):
        req.headers['X-Amz-Date'] = '20150830T123600Z'
    signer = botocore.auth.SigV4Auth(Credentials(KEY_ID, SECRET, token), service, 'us-east-1')
    req.context['payload_signing_enabled'] = True
    signer.add_auth(req)
    return req.headers['Authorization']


def presign():
    req = AWSRequest(method='GET', url='https://iam.amazonaws.com/?Action=ListUsers&Version=2010-05-08')
    botocore.auth.SigV4QueryAuth(Credentials(KEY_ID, SECRET, TOKEN), 'iam', 'us-east-1',
                                 expires=60).add_auth(req)
    return req.url.split('?', 1)[1]


def git_password():
    try:
        from awscli.customizations import codecommit
    except ImportError:
        return None
    freeze(codecommit)

    class Session:
        def get_credentials(self):
            return Credentials(KEY_ID, SECRET)

    cmd = codecommit.CodeCommitGetCommand.__new__(codecommit.CodeCommitGetCommand)
    cmd._session = Session()
    return cmd.sign_request('us-east-1',
                            'https://git-codecommit.us-east-1.amazonaws.com/v1/repos/MyDemoRepo')


if __name__ == '__main__':
    for case in CASES:
        print('%-40s %s' % (case[0], sign(*case).rsplit('Signature=', 1)[1]))
    print('presigned query:', presign())
    print('git password:', git_password())
    sys.exit(0)
