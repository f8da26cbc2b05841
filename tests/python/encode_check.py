"""Independent check of recorded values against the program's own values.

usage: python3 encode_check.py main.py < finals.json
Runs main.py plainly (runpy, empty stdin, its stdout discarded), then, for
every module variable recorded in finals.json ({name: {"repr", "json"}}),
checks that the json shows the program's value exactly up to its markers
(a more marker counts the rest, a str/int prefix is a prefix and its length
the length, depth and cycle markers stand for anything). This walks the
real value with its own reading of the tag table in tracers/README.md and
shares no code with tracers/. Prints {name: true|false}.
"""

import io
import json
import runpy
import sys

if hasattr(sys, "set_int_max_str_digits"):
    sys.set_int_max_str_digits(0)


def consistent(j, v):
    if type(j) is dict and j.get("$type") in ("depth", "cycle"):
        return True
    if v is None or type(v) is bool:
        return j is v
    if type(v) is int:
        if abs(v) <= 2 ** 53 - 1:
            return j == v and type(j) is int
        if "bits" in j:
            return j["bits"] == v.bit_length()
        digits = str(v)
        return j.get("value") == digits or (digits.startswith(j["prefix"]) and j["length"] == len(digits))
    if type(v) is float:
        return j == v or j == {"$type": "float", "value": repr(v)}
    if type(v) is str:
        return j == v or (type(j) is dict and j["$type"] == "str" and v.startswith(j["prefix"]) and j["length"] == len(v))
    if type(v) in (list, tuple):
        return shown(j if type(v) is list else j["items"], list(v), consistent)
    if type(v) is dict:
        if "$type" not in j:
            return list(j) == list(v) and all(consistent(j[k], v[k]) for k in j)
        return shown([e if type(e) is dict else tuple(e) for e in j["entries"]], list(v.items()),
                     lambda e, kv: consistent(e[0], kv[0]) and consistent(e[1], kv[1]))
    return True  # not plain data: not compared here


def shown(items, values, check):
    """items are values[:k] in order, then a more marker counting the rest."""
    if items and type(items[-1]) is dict and items[-1].get("$type") == "more":
        k = len(items) - 1
        return items[-1]["count"] == len(values) - k and all(map(check, items[:k], values[:k]))
    return len(items) == len(values) and all(map(check, items, values))


def main():
    recorded = json.load(sys.stdin)
    sys.stdin = io.StringIO("")
    real_stdout, sys.stdout = sys.stdout, io.StringIO()
    sys.setrecursionlimit(100000)
    try:
        values = runpy.run_path(sys.argv[1], run_name="__main__")
    finally:
        sys.stdout = real_stdout
    print(json.dumps({name: name in values and consistent(v["json"], values[name]) for name, v in recorded.items()}))


if __name__ == "__main__":
    main()
