"""Python value encoder of coderl-trace: any value -> {"repr": str, "json": ...}.

Runs inside the traced child next to untrusted code, and never runs any of
it (tracers/README.md, "What a program can do to its record"):

* Builtin containers and scalars (and their subclasses) are rendered here,
  through the base type's C-level methods (list.__len__(x), dict.items(x),
  ...), never through the value's own dunders.
* Instances are recorded by class and fields, read through the type's own
  __slots__/__dict__ descriptors: no __repr__, property, __getattr__ or
  __getattribute__ of the program runs. A class with its own __repr__ shows
  object.__repr__'s form; dataclasses, namedtuples, enums, Fraction and
  SimpleNamespace are rendered here as Python would; a few C types whose
  repr calls nothing back (range, Decimal, dates, ...) use their own.
* Type facts are read with the descriptors of `type` itself, and every
  builtin this module uses is bound at import (below), before the program
  starts: a program that replaces builtins.len or sys.modules changes
  itself, not its record.
* One budget per value: max_chars characters of repr for the whole value
  (parts shown only in json count as their repr would), so a value costs
  O(max_chars) however large or nested it is. Past the budget a container
  ends with a "more" marker, a string or int with a prefix and its length.
  max_items and max_depth cap each container's items and the nesting.
* Memory addresses (" at 0x7f..") are dropped from every repr, so output
  is deterministic across runs.

Pure standard library, Python 3.8+ syntax.
"""

# Saved before the program runs (module globals shadow builtins).
from builtins import (
    BaseException, all, bytearray, bytes, dict, float, frozenset, id, int, len, list, map, max, min, set, slice,
    sorted, str, tuple, type, zip,
)
import collections
import sys
from bisect import bisect_left
from itertools import accumulate, islice, repeat
from operator import add, itemgetter

import watch as _watch
from encode_objects import Objects, exact_str, inherits, safe_name, type_mro

__all__ = ["Encoder", "holds"]

holds = _watch.holds
_seq_check, _map_check, _bytes_check = _watch.seq_check, _watch.map_check, _watch.bytes_check
_same_check = _watch.same_check
_getrecursionlimit = sys.getrecursionlimit
_setrecursionlimit = sys.setrecursionlimit

_deque = collections.deque
_defaultdict = collections.defaultdict
_OrderedDict = collections.OrderedDict
_Counter = collections.Counter
_deque_maxlen = _deque.__dict__["maxlen"].__get__
_dd_factory = _defaultdict.__dict__["default_factory"].__get__
_NEW_ODICT_REPR = sys.version_info >= (3, 12)  # OrderedDict({..}) instead of OrderedDict([..])

_MAX_SAFE_INT = 2 ** 53 - 1
_INT_ONLY = {id(int)}
_STR_ONLY = {id(str)}
_NUMBERS = frozenset([id(int), id(float), id(bool)])
_INF = float("inf")
_MAX_RENDERED_INT_BITS = 14000  # ~4200 digits: below CPython's default int->str limit (4300)
_MIN_PREFIX = 8  # a string or int shown past the budget still shows this much
_MAX_RANKED = 1000  # a larger Counter is shown without entries (its repr order needs them all)

_CYCLE = {"$type": "cycle"}
_DEPTH = {"$type": "depth"}


def _dd_read(x):
    return (_dd_factory(x),)


def _bytes_prefix(x, k):
    return bytes(bytearray.__getitem__(x, slice(0, k)))


def _bytes_slice(x, s):
    """Exact bytes of x[s], for bytes, bytearray and their subclasses."""
    return bytes(bytearray.__getitem__(x, s) if inherits(type_mro(type(x)), bytearray) else bytes.__getitem__(x, s))


def _fit(cut, render, x, k, cap):
    """(x[:k'], its repr) for the longest k' <= k whose repr fits in about
    2 * cap characters (escapes make a repr up to 10x longer than its text)."""
    prefix = cut(x, slice(0, k))
    r = render(prefix)
    while len(r) > 2 * cap + 2 and k > 1:
        k = k * cap // len(r) if k * cap // len(r) < k else k - 1
        prefix = cut(x, slice(0, k))
        r = render(prefix)
    return prefix, r


class Encoder(Objects):
    def __init__(self, max_chars, max_items=50, max_depth=6, max_str=None):
        # max_chars is the job's max_value_chars: no default here (src/run/limits.ts has it).
        self.max_chars = max_chars
        self.max_items = max_items
        self.max_depth = max_depth
        self.max_str = max_chars if max_str is None else max_str
        self.cut = False    # a value was capped since creation
        self.busy = False   # True while encode() runs (probes of other threads stand down)
        self.nodes = 0      # nodes the last encoding visited (its cost)
        self._left = max_chars  # budget left for the value being encoded
        self._watch = None  # checks of the value being encoded (encode_watched), else None
        self._path = set()  # ids of containers being encoded (cycle detection)
        self._plans = {}    # id(class) -> how to read its instances' fields (encode_objects)
        self._exact = {
            id(type(None)): self._none,
            id(bool): self._bool,
            id(int): self._int,
            id(float): self._float,
            id(str): self._str,
            id(list): self._list,
            id(tuple): self._tuple,
            id(dict): self._dict,
            id(set): self._set,
            id(frozenset): self._set,
            id(bytes): self._bytes,
            id(bytearray): self._bytes,
        }
        self._by_base = {
            id(bool): self._bool, id(int): self._int, id(float): self._float,
            id(str): self._str, id(bytes): self._bytes, id(bytearray): self._bytes,
            id(list): self._list, id(tuple): self._tuple, id(dict): self._dict,
            id(set): self._set, id(frozenset): self._set,
            id(_deque): self._deque, id(_defaultdict): self._defaultdict,
            id(_OrderedDict): self._ordereddict, id(_Counter): self._counter,
        }

    # -- entry points ----------------------------------------------------------

    def encode(self, value):
        """{"repr": str, "json": json-able}. Never raises."""
        return self._run(value, None)[0]

    def encode_watched(self, value):
        """(encoding, watch): while holds(watch), encoding value again gives
        the same result (see watch.py); watch is None if it cannot be watched."""
        return self._run(value, [])

    def _run(self, value, checks):
        limit = _getrecursionlimit()
        was_busy = self.busy
        self.busy = True
        self._left = self.max_chars
        self._watch = checks
        self.nodes = 0
        try:
            # Headroom for our own recursion when called from deep user code.
            _setrecursionlimit(limit + 200)
            r, j = self._enc(value, 0)
        except BaseException:  # a bug of ours, another thread resizing a dict, MemoryError: still an answer
            checks = None
            try:
                r, j = self._default_repr(type(value)), {"$type": "opaque", "name": safe_name(type(value))}
            except BaseException:
                r, j = "<unencodable>", {"$type": "opaque", "name": "?"}
        finally:
            self._path.clear()
            self._watch = None
            self.busy = was_busy
            try:
                _setrecursionlimit(limit)
            except BaseException:
                pass
        return {"repr": r, "json": j}, (tuple(checks) if checks is not None else None)

    def _enc(self, x, depth):
        self.nodes += 1
        t = type(x)
        render = self._exact.get(id(t))
        if render is not None:
            return render(x, depth, t)
        return self._other(x, t, depth)

    def _spend(self, r):
        self._left -= len(r)
        return r

    def _cap(self):
        """How many characters a string or int may show here."""
        return min(self.max_str, max(self._left, _MIN_PREFIX))

    # -- scalars -------------------------------------------------------------

    def _none(self, x, depth, t):
        return self._spend("None"), None

    def _bool(self, x, depth, t):
        return (self._spend("True"), True) if x else (self._spend("False"), False)

    def _int(self, x, depth, t):
        x = int.__index__(x)  # exact int, even for subclasses
        if -_MAX_SAFE_INT <= x <= _MAX_SAFE_INT:
            return self._spend(int.__repr__(x)), x
        bits = x.bit_length()
        if bits > _MAX_RENDERED_INT_BITS:  # too many digits to render cheaply (or at all: int->str limit)
            self.cut = True
            return self._spend("<int with %d bits>" % bits), {"$type": "int", "bits": bits}
        r = int.__repr__(x)
        cap = self._cap()
        if len(r) > cap:
            self.cut = True
            prefix = r[:cap]
            return self._spend(prefix + "..."), {"$type": "int", "prefix": prefix, "length": len(r)}
        return self._spend(r), {"$type": "int", "value": r}

    def _float(self, x, depth, t):
        x = float.__float__(x)
        r = self._spend(float.__repr__(x))
        if x != x or x == _INF or x == -_INF or x.is_integer():
            return r, {"$type": "float", "value": r}
        return r, x

    def _str(self, x, depth, t):
        n = str.__len__(x)
        cap = self._cap()
        if n <= cap:
            r = str.__repr__(x)
            if len(r) <= 2 * cap + 2:
                return self._spend(r), exact_str(x)
        self.cut = True
        prefix, r = _fit(str.__getitem__, str.__repr__, x, min(n, cap), cap)
        return self._spend(r + "..."), {"$type": "str", "prefix": prefix, "length": n}

    def _bytes(self, x, depth, t):
        base = bytearray if inherits(type_mro(t), bytearray) else bytes
        n = base.__len__(x)
        cap = self._cap()
        data, r = _fit(_bytes_slice, bytes.__repr__, x, min(n, cap), cap)
        if len(data) < n:
            r += "..."
        if base is bytearray:
            r = "%s(%s)" % (safe_name(t), r)
            if self._watch is not None:  # every byte _fit looked at decides what is shown
                self._watch.append((_bytes_check, x, t, n, _bytes_prefix(x, min(n, cap)), bytearray.__len__, _bytes_prefix))
        j = {"$type": "bytes", "repr": r}
        if len(data) < n:
            self.cut = True
            j["length"] = n
        return self._spend(r), j

    # -- containers ----------------------------------------------------------

    def _items(self, items, depth):
        """(reprs, jsons) of the first items (a list or tuple) that fit the budget."""
        if not items or self._left <= 0:
            return [], []
        fast = self._uniform_reprs(items)
        if fast is not None:
            # Each item costs its repr and a separator: keep those that start within the budget.
            costs = list(accumulate(map(add, map(len, fast), repeat(2))))
            k = min(len(fast), bisect_left(costs, self._left) + 1)
            self._left -= costs[k - 1]
            self.nodes += k
            return fast[:k], list(items[:k])
        reprs, jsons = [], []
        for item in items:
            if self._left <= 0:
                break
            r, j = self._enc(item, depth + 1)
            self._left -= 2
            reprs.append(r)
            jsons.append(j)
        return reprs, jsons

    def _uniform_reprs(self, items):
        """Reprs of items that are all safe ints or all short strs (each its
        own JSON), made in C-level passes; None for anything else."""
        kinds = set(map(id, map(type, items)))  # ids: hashing a class may run its metaclass
        if kinds == _INT_ONLY:
            if min(items) >= -_MAX_SAFE_INT and max(items) <= _MAX_SAFE_INT:
                return list(map(int.__repr__, items))
        elif kinds == _STR_ONLY:
            if max(map(len, items)) <= min(_MIN_PREFIX, self.max_str):  # never capped: see _cap
                return list(map(str.__repr__, items))
        return None

    def _more(self, reprs, jsons, remaining):
        if remaining > 0:
            self.cut = True
            reprs.append("...")
            jsons.append({"$type": "more", "count": remaining})

    def _enter(self, x, depth):
        """Start encoding container x: None, or why not ("cycle" if x is
        being encoded higher up, "depth" if it is too deep)."""
        if id(x) in self._path:
            return "cycle"
        if depth >= self.max_depth:
            self.cut = True
            return "depth"
        self._path.add(id(x))
        return None

    def _sequence(self, x, depth, t, n, head, length, iterate):
        """(reprs, jsons) of the first items of a sequence that fit the
        budget, its check recorded (the caller adds the more marker)."""
        try:
            reprs, jsons = self._items(head, depth)
        finally:
            self._path.discard(id(x))
        self._left -= 2
        if self._watch is not None and t is not tuple and t is not frozenset:  # those two cannot change
            self._watch.append((_seq_check, x, t, n, head[: len(reprs)], length, iterate))
        return reprs, jsons

    def _list(self, x, depth, t):
        stop = self._enter(x, depth)
        if stop:
            return ("[...]", _CYCLE) if stop == "cycle" else ("...", _DEPTH)
        n = list.__len__(x)
        head = list.__getitem__(x, slice(0, self.max_items))  # a copy: user code cannot resize it
        reprs, jsons = self._sequence(x, depth, t, n, head, list.__len__, list.__iter__)
        self._more(reprs, jsons, n - len(reprs))
        return "[" + ", ".join(reprs) + "]", jsons

    def _tuple(self, x, depth, t):
        stop = self._enter(x, depth)
        if stop:
            return ("(...)", _CYCLE) if stop == "cycle" else ("...", _DEPTH)
        n = tuple.__len__(x)
        head = tuple.__getitem__(x, slice(0, self.max_items))
        reprs, jsons = self._sequence(x, depth, t, n, head, tuple.__len__, tuple.__iter__)
        self._more(reprs, jsons, n - len(reprs))
        if n == 1 and len(jsons) == 1:
            return "(" + reprs[0] + ",)", {"$type": "tuple", "items": jsons}
        return "(" + ", ".join(reprs) + ")", {"$type": "tuple", "items": jsons}

    def _set(self, x, depth, t):
        base = frozenset if inherits(type_mro(t), frozenset) else set
        name = "set" if t is set else "frozenset" if t is frozenset else safe_name(t)
        stop = self._enter(x, depth)
        if stop:
            return (name + "(...)", _CYCLE) if stop == "cycle" else ("...", _DEPTH)
        n = base.__len__(x)
        head = list(islice(base.__iter__(x), self.max_items))
        reprs, jsons = self._sequence(x, depth, t, n, head, base.__len__, base.__iter__)
        # json: sorted by repr for determinism; repr: Python's own iteration order.
        ordered = [j for _, j in sorted(zip(reprs, jsons), key=itemgetter(0))]
        self._more(reprs, ordered, n - len(reprs))
        if n == 0:
            return name + "()", {"$type": base.__name__, "items": []}
        body = "{" + ", ".join(reprs) + "}"
        return (body if t is set else "%s(%s)" % (name, body)), {"$type": base.__name__, "items": ordered}

    def _deque(self, x, depth, t):
        name = safe_name(t)
        maxlen = _deque_maxlen(x)
        suffix = "" if maxlen is None else ", maxlen=%d" % maxlen
        stop = self._enter(x, depth)
        if stop:
            return ("[...]", _CYCLE) if stop == "cycle" else ("...", _DEPTH)
        n = _deque.__len__(x)
        head = list(islice(_deque.__iter__(x), self.max_items))
        reprs, jsons = self._sequence(x, depth, t, n, head, _deque.__len__, _deque.__iter__)
        self._more(reprs, jsons, n - len(reprs))
        return "%s([%s]%s)" % (name, ", ".join(reprs), suffix), jsons

    def _pairs(self, x, t, entries, n, depth, kind, open_, close, pair_fmt="%s: %s"):
        """Render (key, value) entries of a mapping as a dict-like repr and
        json; kind (dict or OrderedDict) reads the entries for its check."""
        parts, out, plain = [], [], True
        todo = entries
        fast = self._uniform_pairs(entries, pair_fmt)
        if fast is not None:  # safe ints and short strs: rendered in C-level passes
            parts, out, plain = fast
            todo = ()
        try:
            for k, v in todo:
                if self._left <= 0:
                    break
                kr, kj = self._enc(k, depth + 1)
                vr, vj = self._enc(v, depth + 1)
                self._left -= 4
                parts.append(pair_fmt % (kr, vr))
                out.append([kj, vj])
                if type(k) is not str or k == "$type":
                    plain = False
        finally:
            self._path.discard(id(x))
        self._left -= 2
        if self._watch is not None and kind is not None:
            shown = entries[: len(out)]
            self._watch.append((_map_check, x, t, n, [k for k, _ in shown], [v for _, v in shown],
                                dict.__len__, kind.keys, kind.values))
        remaining = n - len(out)
        if remaining > 0:
            self.cut = True
            parts.append("...")
        r = open_ + ", ".join(parts) + close
        if plain and remaining <= 0:
            return r, dict(out)
        if remaining > 0:
            out.append({"$type": "more", "count": remaining})
        return r, {"$type": "dict", "entries": out}

    def _uniform_pairs(self, entries, pair_fmt):
        """(parts, [[k, v]...], plain) of the entries that fit the budget when
        keys and values are each all safe ints or all short strs; else None."""
        if not entries or self._left <= 0:
            return None
        keys = list(map(itemgetter(0), entries))
        key_reprs = self._uniform_reprs(keys)
        if key_reprs is None:
            return None
        values = list(map(itemgetter(1), entries))
        value_reprs = self._uniform_reprs(values)
        if value_reprs is None:
            return None
        parts = list(map(pair_fmt.__mod__, zip(key_reprs, value_reprs)))
        costs = list(accumulate(map(add, map(len, parts), repeat(2))))
        k = min(len(parts), bisect_left(costs, self._left) + 1)
        self._left -= costs[k - 1]
        self.nodes += 2 * k
        keys = keys[:k]
        plain = type(keys[0]) is str and "$type" not in keys
        return parts[:k], list(map(list, zip(keys, values[:k]))), plain

    def _dict(self, x, depth, t):
        stop = self._enter(x, depth)
        if stop:
            return ("{...}", _CYCLE) if stop == "cycle" else ("...", _DEPTH)
        entries = list(islice(dict.items(x), self.max_items))  # C-level copy
        return self._pairs(x, t, entries, dict.__len__(x), depth, dict, "{", "}")

    def _defaultdict(self, x, depth, t):
        factory = _dd_factory(x)
        if self._watch is not None:
            self._watch.append((_same_check, _dd_read, x, (factory,)))
        factory_repr = self._enc(factory, depth + 1)[0]
        if id(x) in self._path:  # Python shows the wrapper around {...}
            return "%s(%s, {...})" % (safe_name(t), factory_repr), _CYCLE
        r, j = self._dict(x, depth, t)
        if r == "...":
            return r, j
        return "%s(%s, %s)" % (safe_name(t), factory_repr, r), j

    def _ordereddict(self, x, depth, t):
        name = safe_name(t)
        stop = self._enter(x, depth)
        if stop:
            return ("...", _CYCLE) if stop == "cycle" else ("...", _DEPTH)
        n = dict.__len__(x)
        entries = list(islice(_OrderedDict.items(x), self.max_items))  # linked-list order
        if n == 0:
            self._path.discard(id(x))
            return name + "()", {}
        if _NEW_ODICT_REPR:
            r, j = self._pairs(x, t, entries, n, depth, _OrderedDict, "{", "}")
        else:
            r, j = self._pairs(x, t, entries, n, depth, _OrderedDict, "[", "]", "(%s, %s)")
        return "%s(%s)" % (name, r), j

    def _counter(self, x, depth, t):
        name = safe_name(t)
        stop = self._enter(x, depth)
        if stop:
            return ("%s({...})" % name, _CYCLE) if stop == "cycle" else ("...", _DEPTH)
        n = dict.__len__(x)
        if n == 0:
            self._path.discard(id(x))
            return name + "()", {}
        # Counter's repr lists most_common() order, which depends on every
        # count: rank only small Counters of plain numbers (comparing other
        # values would run their __lt__); show larger ones without entries.
        if n <= _MAX_RANKED and set(map(id, map(type, dict.values(x)))) <= _NUMBERS:
            entries = sorted(dict.items(x), key=itemgetter(1), reverse=True)
            r, j = self._pairs(x, t, entries, n, depth, None, "{", "}")
            if self._watch is not None:  # every count decides the order
                self._watch.append((_map_check, x, t, n, list(dict.keys(x)), list(dict.values(x)),
                                    dict.__len__, dict.keys, dict.values))
        else:
            r, j = self._pairs(x, t, [], n, depth, dict, "{", "}")
        return "%s(%s)" % (name, r), j
