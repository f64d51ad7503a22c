#!/usr/bin/env python3
"""gen-aws-model.py - emit src/aws/model_gen.c from the botocore models.

Reads the service-2.json files shipped by Debian's awscli package (iam, sts,
codecommit, cloudtrail) and writes static C tables of services, operations,
shapes, members, enum values, compiled string patterns and error shapes, in
the layout declared by src/aws/model.h, with commitd's own operations from
scripts/model-extras/<service>.json merged in.  Documentation is dropped.  Simple
one-character-class patterns are compiled to a code-point bitmap here; the
rest are marked unchecked.  Usage: scripts/gen-aws-model.py > src/aws/model_gen.c
"""
import json
import os
import sys

BOTOCORE = os.environ.get(
    "BOTOCORE_DATA", "/usr/lib/python3/dist-packages/awscli/botocore/data")
SERVICES = [
    ("cloudtrail", "2013-11-01"),
    ("codecommit", "2015-04-13"),
    ("iam", "2010-05-08"),
    ("sts", "2011-06-15"),
]
TYPES = ["structure", "list", "map", "string", "integer", "long", "boolean",
         "timestamp", "blob", "double", "float"]

# ---- patterns -------------------------------------------------------------

ASCII_UPPER = set(range(0x41, 0x5B))
ASCII_LOWER = set(range(0x61, 0x7B))
DIGITS = set(range(0x30, 0x3A))
WORD = ASCII_UPPER | ASCII_LOWER | DIGITS | {ord("_")}
SPACE = {0x20, 0x09, 0x0A, 0x0B, 0x0C, 0x0D}
NONASCII = set(range(0x80, 0x100))
# \p{...} classes: the ASCII members exactly, and every non-ASCII code point
# (we do not carry Unicode tables; over-accepting non-ASCII is the documented
# compromise).
PROPS = {
    "L": ASCII_UPPER | ASCII_LOWER,
    "N": DIGITS,
    "Z": {0x20},
    "M": set(),
    "S": set(map(ord, "$+<=>^`|~")),
    "P": set(map(ord, "!\"#%&'()*,-./:;?@[\\]_{}")),
}


class Unsupported(Exception):
    pass


def parse_class(src, i):
    """Parses a [...] class at src[i] == '['; returns (set, high_ok, i)."""
    assert src[i] == "["
    i += 1
    negate = False
    if i < len(src) and src[i] == "^":
        negate = True
        i += 1
    allowed, high = set(), False
    first = True

    def atom(i):
        """One class atom: returns (kind, value, i); kind 'cp' or 'set'."""
        c = src[i]
        if c != "\\":
            return "cp", ord(c), i + 1
        if i + 1 >= len(src):
            raise Unsupported("trailing backslash")
        e = src[i + 1]
        if e == "u":
            h = src[i + 2:i + 6]
            if len(h) != 4:
                raise Unsupported("short \\u")
            return "cp", int(h, 16), i + 6
        if e == "w":
            return "set", (WORD, False), i + 2
        if e == "d":
            return "set", (DIGITS, False), i + 2
        if e == "s":
            return "set", (SPACE, False), i + 2
        if e == "p":
            if src[i + 2] != "{":
                raise Unsupported("\\p without braces")
            j = src.index("}", i)
            name = src[i + 3:j]
            if name not in PROPS:
                raise Unsupported("\\p{%s}" % name)
            return "set", (PROPS[name] | NONASCII, True), j + 1
        if e in "tnr":
            return "cp", {"t": 9, "n": 10, "r": 13}[e], i + 2
        if e.isalnum():
            raise Unsupported("escape \\" + e)
        return "cp", ord(e), i + 2

    while True:
        if i >= len(src):
            raise Unsupported("unterminated class")
        if src[i] == "]" and not first:
            i += 1
            break
        if src[i] == "[":
            raise Unsupported("nested class")
        first = False
        kind, val, i = atom(i)
        if kind == "set":
            allowed |= val[0]
            high = high or val[1]
            continue
        if i + 1 < len(src) and src[i] == "-" and src[i + 1] != "]":
            kind2, val2, i = atom(i + 1)
            if kind2 != "cp" or val2 < val:
                raise Unsupported("bad range")
            allowed |= set(range(val, min(val2, 0xFF) + 1))
            if val2 > 0xFF:
                high = True
            continue
        if val > 0xFF:
            high = True
        else:
            allowed.add(val)
    if negate:
        allowed = set(range(256)) - allowed
        high = not high
    return allowed, high, i


def compile_pattern(src):
    """Returns (bitmap bytes, high_ok, min_repeat) or raises Unsupported."""
    s = src
    if s.startswith("(?s)"):
        s = s[4:]
        dotall = True
    else:
        dotall = False
    if s.startswith("^"):
        s = s[1:]
    if s.endswith("$") and not s.endswith("\\$"):
        s = s[:-1]
    if s.startswith("["):
        allowed, high, i = parse_class(s, 0)
    elif s.startswith("."):
        allowed = set(range(256))
        if not dotall:
            allowed -= {0x0A, 0x0D, 0x85}
        high, i = True, 1
    elif s[:2] in ("\\w", "\\d", "\\s"):
        allowed = {"\\w": WORD, "\\d": DIGITS, "\\s": SPACE}[s[:2]]
        high, i = False, 2
    else:
        raise Unsupported("not a single class")
    rest = s[i:]
    if rest not in ("+", "*"):
        raise Unsupported("quantifier %r" % rest)
    bits = bytearray(32)
    for cp in allowed:
        bits[cp >> 3] |= 1 << (cp & 7)
    return bytes(bits), high, 1 if rest == "+" else 0


# ---- C output -------------------------------------------------------------


def cstr(s):
    if s is None:
        return "NULL"
    out = ['"']
    for ch in s:
        o = ord(ch)
        if ch in '"\\':
            out.append("\\" + ch)
        elif ch == "?":
            out.append("\\?")  # no trigraphs
        elif 0x20 <= o < 0x7F:
            out.append(ch)
        else:
            for b in ch.encode("utf-8"):
                out.append('\\%03o' % b)
    out.append('"')
    return "".join(out)


def main():
    shapes = []        # C rows
    members = []
    enums = []
    patterns = []      # (src, bits, high, minrep, checked)
    pattern_idx = {}
    services = []

    for svc, version in SERVICES:
        path = os.path.join(BOTOCORE, svc, version, "service-2.json")
        with open(path, encoding="utf-8") as f:
            model = json.load(f)
        # commitd's own operations of a service (repository policies, ...)
        extra = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                             "model-extras", svc + ".json")
        if os.path.exists(extra):
            with open(extra, encoding="utf-8") as f:
                ext = json.load(f)
            for k in ("operations", "shapes"):
                clash = set(ext[k]) & set(model[k])
                if clash:
                    sys.exit("%s: %s already in the botocore model" % (extra, sorted(clash)))
                model[k].update(ext[k])
        meta = model["metadata"]
        base = len(shapes)
        names = sorted(model["shapes"])
        index = {n: base + k for k, n in enumerate(names)}

        # members of all structures/lists/maps are laid out after the pass
        errors = []
        for n in names:
            sh = model["shapes"][n]
            t = sh["type"]
            if t not in TYPES:
                sys.exit("unknown type %s in %s" % (t, n))
            row = {"name": n, "type": t, "flags": [], "min": 0, "max": 0,
                   "members": 0, "nmembers": 0, "enums": 0, "nenums": 0,
                   "pattern": -1, "ts": sh.get("timestampFormat"),
                   "code": None, "http": 0}
            for k in ("min", "max"):
                if k in sh:
                    v = sh[k]
                    if isinstance(v, float):
                        v = int(v) if k == "max" else -int(-v)
                    row[k] = v
                    row["flags"].append("AWS_SHAPE_HAS_" + k.upper())
            if sh.get("flattened"):
                row["flags"].append("AWS_SHAPE_FLATTENED")
            if sh.get("sensitive"):
                row["flags"].append("AWS_SHAPE_SENSITIVE")
            if t == "structure":
                req = set(sh.get("required", []))
                row["members"] = len(members)
                for mn, mref in sh["members"].items():
                    if meta["protocol"] == "json" and "locationName" in mref:
                        sys.exit("json member %s.%s has a locationName" % (n, mn))
                    members.append((mn, mref.get("locationName"),
                                    mref.get("xmlNamespace", {}).get("uri")
                                    if isinstance(mref.get("xmlNamespace"), dict)
                                    else mref.get("xmlNamespace"),
                                    index[mref["shape"]], mn in req,
                                    bool(mref.get("flattened"))))
                row["nmembers"] = len(sh["members"])
            elif t == "list":
                mref = sh["member"]
                row["members"] = len(members)
                members.append(("member", mref.get("locationName"), None,
                                index[mref["shape"]], False, False))
                row["nmembers"] = 1
            elif t == "map":
                row["members"] = len(members)
                for part, dflt in (("key", "key"), ("value", "value")):
                    mref = sh[part]
                    members.append((dflt, mref.get("locationName"), None,
                                    index[mref["shape"]], False, False))
                row["nmembers"] = 2
            if "enum" in sh:
                row["enums"] = len(enums)
                row["nenums"] = len(sh["enum"])
                enums.extend(sh["enum"])
            if "pattern" in sh:
                src = sh["pattern"]
                if src not in pattern_idx:
                    try:
                        bits, high, minrep = compile_pattern(src)
                        patterns.append((src, bits, high, minrep, True))
                    except Unsupported:
                        patterns.append((src, bytes(32), False, 0, False))
                    pattern_idx[src] = len(patterns) - 1
                row["pattern"] = pattern_idx[src]
            if sh.get("exception"):
                err = sh.get("error", {})
                row["flags"].append("AWS_SHAPE_EXCEPTION")
                fault = sh.get("fault", False)
                # an "error" block without senderFault is the server's fault
                sender = err.get("senderFault", False) if err else not fault
                if sender:
                    row["flags"].append("AWS_SHAPE_SENDER_FAULT")
                row["code"] = err.get("code", n)
                row["http"] = err.get("httpStatusCode", 500 if fault else 400)
                errors.append((row["code"], index[n], row["http"], sender))
            shapes.append(row)

        ops = []
        for on in sorted(model["operations"]):
            op = model["operations"][on]
            inp = op.get("input", {}).get("shape")
            out = op.get("output", {})
            ops.append((on, index[inp] if inp else -1,
                        index[out["shape"]] if out.get("shape") else -1,
                        out.get("resultWrapper")))
        seen = {}
        for code, idx, http, sender in sorted(errors):
            seen.setdefault(code, (code, idx, http, sender))
        proto = {"query": "AWS_PROTO_QUERY", "json": "AWS_PROTO_JSON"}[meta["protocol"]]
        services.append((svc, meta["apiVersion"], proto, meta.get("targetPrefix"),
                         meta.get("xmlNamespace"), meta.get("jsonVersion"),
                         base, len(names), ops, sorted(seen.values())))

    if len(shapes) > 0xFFFF or len(members) > 0xFFFF or len(enums) > 0xFFFF:
        sys.exit("tables too large for uint16_t indices")

    w = sys.stdout.write
    w("/* generated by scripts/gen-aws-model.py, do not edit */\n")
    w("/*\n * model_gen.c - the botocore models of %s as static tables.\n"
      % ", ".join(s[0] for s in SERVICES))
    w(" * Layout and invariants: src/aws/model.h.  Regenerate with\n"
      " *   python3 scripts/gen-aws-model.py > src/aws/model_gen.c\n */\n")
    w('#include "aws/model.h"\n\n')

    w("const struct aws_pattern aws_patterns[] = {\n")
    for src, bits, high, minrep, checked in patterns:
        if not checked:
            w("\t{%s, {0}, 0, 0, 0}, /* unchecked */\n" % cstr(src))
            continue
        w("\t{%s,\n\t {%s},\n\t %d, %d, 1},\n" % (
            cstr(src), ",".join("0x%02x" % b for b in bits),
            1 if high else 0, minrep))
    w("};\n\n")

    w("const char *const aws_enum_values[] = {\n")
    for k in range(0, len(enums), 4):
        w("\t" + " ".join(cstr(v) + "," for v in enums[k:k + 4]) + "\n")
    w("};\n\n")

    w("/* name, location name, xml namespace, shape, required, flattened */\n")
    w("const struct aws_member aws_members[] = {\n")
    for mn, loc, ns, sh, req, flat in members:
        w("\t{%s, %s, %s, %d, %d, %d},\n" % (cstr(mn), cstr(loc), cstr(ns), sh,
                                             1 if req else 0, 1 if flat else 0))
    w("};\n\n")

    w("/* name, type, flags, members, nmembers, enums, nenums, pattern, "
      "http status, error code, timestamp format, min, max */\n")
    w("const struct aws_shape aws_shapes[] = {\n")
    for r in shapes:
        w("\t{%s, AWS_T_%s, %s, %d, %d, %d, %d, %d, %d, %s, %s, %dLL, %dLL},\n" % (
            cstr(r["name"]), r["type"].upper(), "|".join(r["flags"]) or "0",
            r["members"], r["nmembers"], r["enums"], r["nenums"], r["pattern"],
            r["http"], cstr(r["code"]), cstr(r["ts"]), r["min"], r["max"]))
    w("};\n\n")

    for svc, _, _, _, _, _, _, _, ops, errs in services:
        w("static const struct aws_op %s_ops[] = {\n" % svc)
        for on, inp, out, wrap in ops:
            w("\t{%s, %d, %d, %s},\n" % (cstr(on), inp, out, cstr(wrap)))
        w("};\n\n")
        w("static const struct aws_error_shape %s_errors[] = {\n" % svc)
        for code, idx, http, sender in errs:
            w("\t{%s, %d, %d, %d},\n" % (cstr(code), idx, http, 1 if sender else 0))
        w("};\n\n")

    w("/* sorted by name */\n")
    w("const struct aws_service aws_services[] = {\n")
    for svc, ver, proto, tp, ns, jv, base, n, ops, errs in services:
        w("\t{%s, %s, %s, %s, %s, %s, %d, %d,\n\t %s_ops, ARRAY_SIZE(%s_ops), "
          "%s_errors, ARRAY_SIZE(%s_errors)},\n" % (
              cstr(svc), cstr(ver), proto, cstr(tp), cstr(ns), cstr(jv), base, n,
              svc, svc, svc, svc))
    w("};\n\n")
    w("const size_t aws_nservices = ARRAY_SIZE(aws_services);\n")


if __name__ == "__main__":
    main()
