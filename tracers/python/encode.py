"""Python value encoder of coderl-trace: any value -> {"repr": str, "json": ...}.

Runs inside the traced child next to untrusted code, so it never trusts the
value it encodes:

* Builtin containers and scalars (and their subclasses that keep the builtin
  __repr__) are rendered here, through the base type's C-level methods
  (list.__len__(x), dict.items(x), ...), visiting only the first max_items
  items: a huge value costs what its prefix costs, and the result equals
  Python's repr() whenever nothing was capped.
* Attributes of class instances are read through the type's own
  __dict__/__slots__ descriptors, never through getattr, so properties,
  __getattr__ and __getattribute__ never run.
* Type information is read with the descriptors of `type` itself, so a hostile
  metaclass cannot intervene.
* A __repr__ written in Python (or a C repr that may call back into Python) is
  the only user code ever called, and only under a budget: a sys.settrace
  hook counts trace events, opcode by opcode, and raises when the budget is
  spent (deterministic: a count of events, not of time), with a wall-clock
  deadline as a backstop. Everything it raises is caught; its output is
  discarded; the global random state, sys.std*, the trace and profile hooks
  are restored afterwards. If it fails, the repr is the one object.__repr__
  would give (without the address).
* Memory addresses (" at 0x7f..") are dropped from every repr so that output
  is deterministic across runs.

Pure standard library, Python 3.8+ syntax.
"""

import collections
import io
import itertools
import sys
import types
from time import perf_counter as _perf_counter
from operator import itemgetter

__all__ = ["Encoder"]

# Descriptors of `type` itself: reading class facts through them bypasses any
# metaclass __getattribute__ or property.
_type_dict = type.__dict__["__dict__"].__get__
_type_mro = type.__dict__["__mro__"].__get__
_type_name = type.__dict__["__name__"].__get__
_type_qualname = type.__dict__["__qualname__"].__get__
_type_module = type.__dict__["__module__"].__get__
_type_flags = type.__dict__["__flags__"].__get__
_HEAPTYPE = 1 << 9  # Py_TPFLAGS_HEAPTYPE: the class was written in Python

_islice = itertools.islice
_GetSet = types.GetSetDescriptorType
_Member = types.MemberDescriptorType
_deque = collections.deque
_defaultdict = collections.defaultdict
_OrderedDict = collections.OrderedDict
_Counter = collections.Counter
_deque_maxlen = _deque.__dict__["maxlen"].__get__
_dd_factory = _defaultdict.__dict__["default_factory"].__get__
_exc_args = BaseException.__dict__["args"].__get__
_module_dict = types.ModuleType.__dict__["__dict__"].__get__
_NEW_ODICT_REPR = sys.version_info >= (3, 12)  # OrderedDict({..}) instead of OrderedDict([..])

_MAX_SAFE_INT = 2 ** 53 - 1
_INT_ONLY = {int}
_STR_ONLY = {str}
_INF = float("inf")
_MAX_RENDERED_INT_BITS = 14000  # ~4200 digits: below CPython's default int->str limit (4300)

_CYCLE = {"$type": "cycle"}
_DEPTH = {"$type": "depth"}

# Builtin bases whose repr this module reproduces, in the order a subclass's
# MRO is searched (more specific first is guaranteed by the MRO itself).
_KNOWN_BASES = (
    _Counter, _OrderedDict, _defaultdict, _deque,
    bool, int, float, str, bytes, bytearray,
    list, tuple, dict, set, frozenset,
)
_KNOWN_IDS = frozenset(id(c) for c in _KNOWN_BASES)

_FUNCTION_TYPES = tuple(
    t for t in (
        types.FunctionType, types.BuiltinFunctionType, types.MethodType,
        getattr(types, "MethodWrapperType", None), getattr(types, "WrapperDescriptorType", None),
        getattr(types, "MethodDescriptorType", None), getattr(types, "ClassMethodDescriptorType", None),
    ) if t is not None
)
_FUNCTION_IDS = frozenset(id(t) for t in _FUNCTION_TYPES)
# C types whose repr is computed in C from type names and numbers only:
# called directly, no budget needed.
_PLAIN_C_REPR = frozenset(id(t) for t in (
    range, complex, type(Ellipsis), type(NotImplemented), memoryview,
) + _FUNCTION_TYPES if t is not types.FunctionType and t is not types.MethodType)
_GENERATOR_KINDS = {
    id(types.GeneratorType): "generator",
    id(types.CoroutineType): "coroutine",
    id(types.AsyncGeneratorType): "async_generator",
}


def _global_random():
    """The generator behind random.random() & co, if the program loaded it."""
    module = sys.modules.get("random")
    if type(module) is not types.ModuleType:
        return None
    inst = dict.get(_module_dict(module), "_inst")
    return inst if type(inst).__module__ == "random" else None


class _BudgetExceeded(BaseException):
    """Raised inside a user __repr__ whose budget is spent (BaseException so
    that `except Exception` in user code does not swallow it)."""


class _Sink(io.TextIOBase):
    """Stands in for sys.stdin/stdout/stderr while user code runs."""

    def write(self, s):
        return len(s)

    def readable(self):
        return True

    def read(self, size=-1):
        return ""

    def readline(self, size=-1):
        return ""


_SINK = _Sink()


def _strip_addresses(s):
    """Drop ' at 0x<hex>' (memory addresses) from a repr."""
    start = s.find(" at 0x")
    if start < 0:
        return s
    out = []
    pos = 0
    while start >= 0:
        end = start + 6
        while end < len(s) and s[end] in "0123456789abcdefABCDEF":
            end += 1
        if end == start + 6:  # ' at 0x' not followed by hex: keep it
            out.append(s[pos:end])
        else:
            out.append(s[pos:start])
        pos = end
        start = s.find(" at 0x", pos)
    out.append(s[pos:])
    return "".join(out)


def _exact_str(s):
    """An exact str from a str or str subclass, without calling user code."""
    return s if type(s) is str else str.__str__(s)


def _class_dict_lookup(mro, name):
    """(owner class, attribute) of the first class in mro defining name."""
    for c in mro:
        d = _type_dict(c)
        if name in d:
            return c, d[name]
    return None, None


def _inherits(mro, cls):
    """cls in mro, by identity (`in` would call a metaclass __eq__)."""
    for c in mro:
        if c is cls:
            return True
    return False


def _find_base(mro):
    for c in mro:
        if id(c) in _KNOWN_IDS:
            return c
    return None


def _safe_name(obj_type):
    name = _type_name(obj_type)
    return name if type(name) is str else "?"


class Encoder:
    def __init__(self, max_depth=6, max_items=50, max_str=500, repr_timeout_ms=50):
        self.max_depth = max_depth
        self.max_items = max_items
        self.max_str = max_str
        self.repr_timeout_s = repr_timeout_ms / 1000.0
        # ~20-25 ms of plain Python under the hook at 50 ms: the event budget
        # decides (deterministically) long before the wall clock does.
        self.repr_events = max(1000, int(repr_timeout_ms * 2000))
        self.cut = False    # a value was capped since creation
        self.busy = False   # True while encode() runs (probes should stand down)
        self._path = set()  # ids of containers being encoded (cycle detection)
        self._timed_out = {}  # id(repr function) -> function whose budget ran out once
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

    # -- entry point ---------------------------------------------------------

    def encode(self, value):
        """{"repr": str, "json": json-able}. Never raises."""
        limit = sys.getrecursionlimit()
        was_busy = self.busy
        self.busy = True
        try:
            # Headroom for our own recursion when called from deep user code.
            sys.setrecursionlimit(limit + 200)
            r, j = self._enc(value, 0)
        except BaseException:  # a bug of ours, or a resource error: still an answer
            try:
                r, j = self._default_repr(type(value)), {"$type": "opaque", "name": _safe_name(type(value))}
            except BaseException:
                r, j = "<unencodable>", {"$type": "opaque", "name": "?"}
        finally:
            if not was_busy:  # re-entrant: a probe inside a user __repr__ may encode too
                self._path.clear()
            self.busy = was_busy
            try:
                sys.setrecursionlimit(limit)
            except BaseException:
                pass
        return {"repr": r, "json": j}

    def _enc(self, x, depth):
        t = type(x)
        render = self._exact.get(id(t))
        if render is not None:
            return render(x, depth, t)
        return self._other(x, t, depth)

    # -- scalars -------------------------------------------------------------

    def _none(self, x, depth, t):
        return "None", None

    def _bool(self, x, depth, t):
        return ("True", True) if x else ("False", False)

    def _int(self, x, depth, t):
        x = int.__index__(x)  # exact int, even for subclasses
        if -_MAX_SAFE_INT <= x <= _MAX_SAFE_INT:
            return int.__repr__(x), x
        bits = x.bit_length()
        try:
            if bits > _MAX_RENDERED_INT_BITS:
                raise ValueError
            r = int.__repr__(x)
        except ValueError:  # too many digits to render (CPython int->str limit)
            self.cut = True
            return "<int with %d bits>" % bits, {"$type": "int", "bits": bits}
        if len(r) > self.max_str:
            self.cut = True
            prefix = r[: self.max_str]
            return prefix + "...", {"$type": "int", "prefix": prefix, "length": len(r)}
        return r, {"$type": "int", "value": r}

    def _float(self, x, depth, t):
        x = float.__float__(x)
        r = float.__repr__(x)
        if x != x or x == _INF or x == -_INF or x.is_integer():
            return r, {"$type": "float", "value": r}
        return r, x

    def _str(self, x, depth, t):
        n = str.__len__(x)
        if n <= self.max_str:
            return str.__repr__(x), _exact_str(x)
        self.cut = True
        prefix = str.__getitem__(x, slice(0, self.max_str))
        return str.__repr__(prefix) + "...", {"$type": "str", "prefix": prefix, "length": n}

    def _bytes(self, x, depth, t):
        base = bytearray if _inherits(_type_mro(t), bytearray) else bytes
        n = base.__len__(x)
        capped = n > self.max_str
        data = bytes(base.__getitem__(x, slice(0, self.max_str)))
        r = bytes.__repr__(data) + ("..." if capped else "")
        if base is bytearray:
            r = "%s(%s)" % (_safe_name(t), r)
        j = {"$type": "bytes", "repr": r}
        if capped:
            self.cut = True
            j["length"] = n
        return r, j

    # -- containers ----------------------------------------------------------

    def _items(self, iterator, depth):
        """Encode the items of a C-level iterator: (reprs, jsons)."""
        if type(iterator) is list or type(iterator) is tuple:
            fast = self._uniform_items(iterator)
            if fast is not None:
                return fast
        reprs, jsons = [], []
        max_str = self.max_str
        for item in iterator:
            # Inline the commonest items (what _int and _str would return):
            # lists of numbers and short strings dominate loop-heavy traces.
            t = type(item)
            if t is int and -_MAX_SAFE_INT <= item <= _MAX_SAFE_INT:
                reprs.append(int.__repr__(item))
                jsons.append(item)
            elif t is str and len(item) <= max_str:
                reprs.append(str.__repr__(item))
                jsons.append(item)
            else:
                r, j = self._enc(item, depth + 1)
                reprs.append(r)
                jsons.append(j)
        return reprs, jsons

    def _uniform_items(self, items):
        """(reprs, jsons) of items that are all safe ints or all short strs,
        in C-level passes (each is its own JSON); None for anything else."""
        if not items:
            return [], []
        kinds = set(map(type, items))
        if kinds == _INT_ONLY:
            if min(items) >= -_MAX_SAFE_INT and max(items) <= _MAX_SAFE_INT:
                return list(map(repr, items)), list(items)  # exact ints: no user __repr__
        elif kinds == _STR_ONLY:
            if max(map(len, items)) <= self.max_str:
                return list(map(repr, items)), list(items)
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

    def _list(self, x, depth, t):
        n = list.__len__(x)
        if n == 0:
            return "[]", []
        stop = self._enter(x, depth)
        if stop:
            return ("[...]", _CYCLE) if stop == "cycle" else ("...", _DEPTH)
        try:
            head = list.__getitem__(x, slice(0, self.max_items))  # a copy: user code cannot resize it
            reprs, jsons = self._items(head, depth)
        finally:
            self._path.discard(id(x))
        self._more(reprs, jsons, n - len(head))
        return "[" + ", ".join(reprs) + "]", jsons

    def _tuple(self, x, depth, t):
        n = tuple.__len__(x)
        if n == 0:
            return "()", {"$type": "tuple", "items": []}
        stop = self._enter(x, depth)
        if stop:
            return ("(...)", _CYCLE) if stop == "cycle" else ("...", _DEPTH)
        try:
            head = tuple.__getitem__(x, slice(0, self.max_items))
            reprs, jsons = self._items(head, depth)
        finally:
            self._path.discard(id(x))
        self._more(reprs, jsons, n - len(head))
        if len(reprs) == 1:
            return "(" + reprs[0] + ",)", {"$type": "tuple", "items": jsons}
        return "(" + ", ".join(reprs) + ")", {"$type": "tuple", "items": jsons}

    def _pairs(self, x, entries, n, depth, open_, close, pair_fmt="%s: %s"):
        """Render (key, value) entries as a dict-like repr and json."""
        parts, out, plain = [], [], True
        try:
            for k, v in entries:
                kr, kj = self._enc(k, depth + 1)
                vr, vj = self._enc(v, depth + 1)
                parts.append(pair_fmt % (kr, vr))
                out.append([kj, vj])
                if type(k) is not str or k == "$type":
                    plain = False
        finally:
            self._path.discard(id(x))
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

    def _dict(self, x, depth, t, open_="{", close="}"):
        n = dict.__len__(x)
        if n == 0:
            return open_ + close, {}
        stop = self._enter(x, depth)
        if stop:
            return (open_ + "..." + close, _CYCLE) if stop == "cycle" else ("...", _DEPTH)
        entries = list(_islice(dict.items(x), self.max_items))  # C-level copy
        return self._pairs(x, entries, n, depth, open_, close)

    def _set(self, x, depth, t):
        base = frozenset if _inherits(_type_mro(t), frozenset) else set
        name = "set" if t is set else "frozenset" if t is frozenset else _safe_name(t)
        n = base.__len__(x)
        if n == 0:
            return name + "()", {"$type": base.__name__, "items": []}
        stop = self._enter(x, depth)
        if stop:
            return (name + "(...)", _CYCLE) if stop == "cycle" else ("...", _DEPTH)
        try:
            head = list(_islice(base.__iter__(x), self.max_items))
            reprs, jsons = self._items(head, depth)
        finally:
            self._path.discard(id(x))
        # json: sorted by repr for determinism; repr: Python's own iteration order.
        ordered = [j for _, j in sorted(zip(reprs, jsons), key=itemgetter(0))]
        self._more(reprs, ordered, n - len(head))
        body = "{" + ", ".join(reprs) + "}"
        return (body if t is set else "%s(%s)" % (name, body)), {"$type": base.__name__, "items": ordered}

    def _deque(self, x, depth, t):
        name = _safe_name(t)
        n = _deque.__len__(x)
        maxlen = _deque_maxlen(x)
        suffix = "" if maxlen is None else ", maxlen=%d" % maxlen
        if n == 0:
            return "%s([]%s)" % (name, suffix), []
        stop = self._enter(x, depth)
        if stop:
            return ("[...]", _CYCLE) if stop == "cycle" else ("...", _DEPTH)
        try:
            head = list(_islice(_deque.__iter__(x), self.max_items))
            reprs, jsons = self._items(head, depth)
        finally:
            self._path.discard(id(x))
        self._more(reprs, jsons, n - len(head))
        return "%s([%s]%s)" % (name, ", ".join(reprs), suffix), jsons

    def _defaultdict(self, x, depth, t):
        factory = _dd_factory(x)
        factory_repr = self._enc(factory, depth + 1)[0]
        if id(x) in self._path:  # Python shows the wrapper around {...}
            return "%s(%s, {...})" % (_safe_name(t), factory_repr), _CYCLE
        r, j = self._dict(x, depth, t)
        if r == "...":
            return r, j
        return "%s(%s, %s)" % (_safe_name(t), factory_repr, r), j

    def _ordereddict(self, x, depth, t):
        name = _safe_name(t)
        n = dict.__len__(x)
        if n == 0:
            return name + "()", {}
        stop = self._enter(x, depth)
        if stop:
            return ("...", _CYCLE) if stop == "cycle" else ("...", _DEPTH)
        entries = list(_islice(_OrderedDict.items(x), self.max_items))  # linked-list order
        if _NEW_ODICT_REPR:
            r, j = self._pairs(x, entries, n, depth, "{", "}")
            return "%s(%s)" % (name, r), j
        r, j = self._pairs(x, entries, n, depth, "[", "]", "(%s, %s)")
        return "%s(%s)" % (name, r), j

    def _counter(self, x, depth, t):
        name = _safe_name(t)
        n = dict.__len__(x)
        if n == 0:
            return name + "()", {}
        stop = self._enter(x, depth)
        if stop:
            return ("%s({...})" % name, _CYCLE) if stop == "cycle" else ("...", _DEPTH)
        # Counter's repr lists most_common() order; values may be user objects,
        # so the (C-level) sort runs under the budget, falling back like Python.
        ok, ranked = self._bounded(sorted, list(dict.items(x)), key=itemgetter(1), reverse=True)
        entries = ranked[: self.max_items] if ok else list(_islice(dict.items(x), self.max_items))
        r, j = self._pairs(x, entries, n, depth, "{", "}")
        return "%s(%s)" % (name, r), j

    # -- everything else -----------------------------------------------------

    def _other(self, x, t, depth):
        mro = _type_mro(t)
        tid = id(t)
        if tid in _FUNCTION_IDS:
            return self._function(x, t, depth)
        kind = _GENERATOR_KINDS.get(tid)
        if kind is not None:
            name = _exact_str(x.__name__)
            return "<%s object %s>" % (kind, _exact_str(x.__qualname__)), {"$type": "generator", "name": name}
        if _inherits(mro, type):
            return self._class(x, t)
        if _inherits(mro, types.ModuleType):
            md = _module_dict(x)
            name = dict.get(md, "__name__") if type(md) is dict else None
            name = name if type(name) is str else "?"
            return "<module %s>" % str.__repr__(name), {"$type": "module", "name": name}

        owner, repr_fn = _class_dict_lookup(mro, "__repr__")
        base = _find_base(mro)
        if base is not None and owner is base:  # a subclass keeping the builtin repr
            return self._by_base[id(base)](x, depth, t)
        special = self._generated_repr(x, t, owner, repr_fn, depth)
        if special is not None:
            return special
        r = self._user_repr(x, owner, repr_fn, self._default_repr(t))
        # json: what the value holds, whatever its __repr__ says
        j = self._by_base[id(base)](x, depth, t)[1] if base is not None else self._object_json(x, t, mro, depth)
        return r, j

    def _function(self, x, t, depth):
        if t is types.FunctionType:
            return "<function %s>" % _exact_str(x.__qualname__), {"$type": "function", "name": _exact_str(x.__name__)}
        if t is types.MethodType:
            func = x.__func__
            if type(func) is types.FunctionType:
                self_repr = self._enc(x.__self__, depth + 1)[0]
                return ("<bound method %s of %s>" % (_exact_str(func.__qualname__), self_repr),
                        {"$type": "function", "name": _exact_str(func.__name__)})
        # builtin callables; a method of something else may call back into Python
        if id(t) in _PLAIN_C_REPR:
            r = _strip_addresses(t.__repr__(x))
        else:
            ok, r = self._bounded(t.__repr__, x)
            r = _strip_addresses(r) if ok and type(r) is str else "<%s>" % _safe_name(t)
        name = getattr(x, "__name__", None) if t is not types.MethodType else None
        return r, {"$type": "function", "name": name if type(name) is str else _safe_name(t)}

    def _class(self, x, t):
        name = _safe_name(x)
        module = _type_module(x)
        qual = _type_qualname(x)
        qual = qual if type(qual) is str else name
        if type(module) is str and module != "builtins":
            qual = module + "." + qual
        r = "<class %s>" % str.__repr__(qual)
        owner, repr_fn = _class_dict_lookup(_type_mro(t), "__repr__")
        if owner is not type:  # metaclass with its own __repr__ (e.g. <enum 'Color'>)
            r = self._user_repr(x, owner, repr_fn, r)
        return r, {"$type": "class", "name": name}

    def _default_repr(self, t):
        """object.__repr__ without the address: <module.Qualname object>."""
        qual = _type_qualname(t)
        qual = qual if type(qual) is str else _safe_name(t)
        module = _type_module(t)
        if type(module) is str and module != "builtins":
            qual = module + "." + qual
        return "<%s object>" % qual

    def _user_repr(self, x, owner, repr_fn, fallback):
        """Call a __repr__ we cannot reproduce, under the budget; on failure, fallback."""
        if owner is object or owner is None or id(repr_fn) in self._timed_out:
            return fallback
        if id(owner) in _PLAIN_C_REPR and type(x) is owner:
            return _strip_addresses(owner.__repr__(x))
        if type(repr_fn) is types.FunctionType:  # bind in C: only user frames run traced
            ok, r = self._bounded(repr_fn.__get__(x, type(x)))
        else:
            ok, r = self._bounded(self._call_repr, repr_fn, x)
        if not ok or not issubclass(type(r), str):  # (isinstance may ask r for __class__)
            if r is _BudgetExceeded:  # do not pay the budget again for this __repr__
                self._timed_out[id(repr_fn)] = repr_fn
            return fallback
        r = _strip_addresses(_exact_str(r))
        if len(r) > self.max_str:
            self.cut = True
            r = r[: self.max_str] + "..."
        return r

    @staticmethod
    def _call_repr(repr_fn, x):
        """repr_fn bound the way the interpreter would bind it, then called."""
        bind = getattr(type(repr_fn), "__get__", None)
        return (bind(repr_fn, x, type(x)) if bind is not None else repr_fn)()

    def _bounded(self, fn, *args, **kwargs):
        """Run fn(*args) with the user code it calls fenced in:
        (True, result) or (False, reason).

        Budget: a sys.settrace hook sees every Python call and opcode that fn
        causes, counts them and raises _BudgetExceeded (a BaseException) when
        the count, or as a backstop the wall clock, runs out; the result is
        discarded even if user code caught that and returned. What nothing
        in-process can stop (a pure C loop, a loop that swallows every
        BaseException) is left to the run's own timeout.
        Side effects: sys.stdin/stdout/stderr are a sink meanwhile, and a
        sys.setprofile hook saves the global random generator's state at its
        first C call (before it runs), to restore it afterwards.
        """
        left = [self.repr_events]
        expired = []
        deadline = _perf_counter() + self.repr_timeout_s
        rng = _global_random()
        saved_rng = []

        def trace(frame, event, arg):
            if event != "opcode":
                # `while True: pass` may have no line events; 3.13 honours
                # this only when set at a line event, 3.8-3.12 at the call.
                frame.f_trace_opcodes = True
            left[0] -= 1
            if left[0] < 0 or ((left[0] & 1023) == 0 and _perf_counter() > deadline):
                # Prefer opcode events: 3.8 loses an exception raised at the
                # line event of a `while True` loop.
                if event == "opcode" or left[0] < -self.repr_events:
                    expired.append(True)
                    raise _BudgetExceeded
            return trace

        def profile(frame, event, arg):
            if event == "c_call" and rng is not None and not saved_rng and getattr(arg, "__self__", None) is rng:
                saved_rng.append(rng.getstate())

        old_trace, old_profile = sys.gettrace(), sys.getprofile()
        streams = (sys.stdin, sys.stdout, sys.stderr)
        ok, result = False, None
        try:
            sys.stdin = sys.stdout = sys.stderr = _SINK
            sys.setprofile(profile)
            sys.settrace(trace)
            try:
                result = fn(*args, **kwargs)
                ok = True
            finally:
                sys.settrace(old_trace)
                sys.setprofile(old_profile)
        except BaseException:
            ok = False
        finally:
            sys.stdin, sys.stdout, sys.stderr = streams
            if saved_rng:
                try:
                    rng.setstate(saved_rng[0])
                except BaseException:
                    pass
        if expired:
            return False, _BudgetExceeded
        return (True, result) if ok else (False, None)

    def _generated_repr(self, x, t, owner, repr_fn, depth):
        """Reproduce namedtuple and dataclass reprs here, so that they are capped."""
        if type(repr_fn) is types.FunctionType:
            owner_dict = _type_dict(owner)
            code = repr_fn.__code__
            coll = sys.modules.get("collections")
            if "_fields" in owner_dict and coll is not None and code.co_filename == getattr(coll, "__file__", None):
                return self._namedtuple(x, t, owner_dict["_fields"], depth)
        wrapped = getattr(repr_fn, "__wrapped__", None) if type(repr_fn) is types.FunctionType else None
        if type(wrapped) is types.FunctionType and wrapped.__code__.co_name == "__repr__":
            dc = sys.modules.get("dataclasses")
            owner_dict = _type_dict(owner)
            if dc is not None and "__dataclass_fields__" in owner_dict and \
                    wrapped.__code__.co_filename in (getattr(dc, "__file__", None), "<string>"):
                return self._dataclass(x, t, owner_dict["__dataclass_fields__"], dc, depth)
        return None

    def _namedtuple(self, x, t, fields, depth):
        if type(fields) is not tuple or tuple.__len__(x) != len(fields):
            return None
        name = _safe_name(t)
        if depth >= self.max_depth:
            self.cut = True
            return "...", _DEPTH
        if id(x) in self._path:
            return name + "(...)", _CYCLE
        self._path.add(id(x))
        try:
            values = tuple.__getitem__(x, slice(0, self.max_items))
            reprs, jsons = self._items(values, depth)
        finally:
            self._path.discard(id(x))
        names = [_exact_str(f) for f in fields[: len(values)]]
        parts = ["%s=%s" % (f, r) for f, r in zip(names, reprs)]
        attrs = dict(zip(names, jsons))
        out = {"$type": "object", "class": name, "attrs": attrs}
        if len(fields) > len(values):
            self.cut = True
            parts.append("...")
            out["more"] = len(fields) - len(values)
        return "%s(%s)" % (name, ", ".join(parts)), out

    def _dataclass(self, x, t, fields, dc, depth):
        field_marker = getattr(dc, "_FIELD", None)
        if type(fields) is not dict:
            return None
        names = [f.name for f in dict.values(fields)
                 if getattr(f, "_field_type", None) is field_marker and f.repr]
        values = self._instance_attrs(x, _type_mro(t))[0]
        if any(type(n) is not str or n not in values for n in names):
            return None  # a field lives somewhere we do not read: let its __repr__ run
        qual = _type_qualname(t)
        qual = qual if type(qual) is str else _safe_name(t)
        if depth >= self.max_depth:
            self.cut = True
            return "...", _DEPTH
        if id(x) in self._path:
            return "...", _CYCLE  # reprlib.recursive_repr's marker
        self._path.add(id(x))
        try:
            reprs, _ = self._items([values[n] for n in names[: self.max_items]], depth)
        finally:
            self._path.discard(id(x))
        parts = ["%s=%s" % (n, r) for n, r in zip(names, reprs)]
        if len(names) > self.max_items:
            self.cut = True
            parts.append("...")
        return "%s(%s)" % (qual, ", ".join(parts)), self._object_json(x, t, _type_mro(t), depth)

    def _instance_attrs(self, x, mro, limit=None):
        """({name: value}, how many there are) from __slots__ then __dict__
        (at most limit of them), read through the type's own descriptors
        only: no property, __getattr__ or __getattribute__ runs."""
        attrs = {}
        total = 0
        for c in reversed(mro):
            slots = _type_dict(c).get("__slots__")
            if type(slots) is str:
                slots = (slots,)
            if type(slots) not in (tuple, list):
                continue
            cname = _type_name(c).lstrip("_")
            for slot in slots:
                if type(slot) is not str or slot in ("__dict__", "__weakref__"):
                    continue
                key = "_%s%s" % (cname, slot) if slot.startswith("__") and not slot.endswith("__") else slot
                desc = _type_dict(c).get(key)
                if type(desc) is _Member:
                    try:
                        attrs[key] = desc.__get__(x, c)
                        total += 1
                    except AttributeError:  # slot never assigned
                        pass
        owner, desc = _class_dict_lookup(mro, "__dict__")
        if type(desc) in (_GetSet, _Member):
            try:
                d = desc.__get__(x, owner)
            except Exception:
                d = None
            if type(d) is dict:
                total += dict.__len__(d)
                for k, v in _islice(dict.items(d), limit):
                    if type(k) is str:
                        attrs[k] = v
        return attrs, total

    def _object_json(self, x, t, mro, depth):
        if not (_type_flags(t) & _HEAPTYPE or _inherits(mro, BaseException) or "__dict__" in _type_dict(t)):
            return {"$type": "opaque", "name": _safe_name(t)}
        if depth >= self.max_depth:
            self.cut = True
            return _DEPTH
        if id(x) in self._path:
            return _CYCLE
        attrs, total = self._instance_attrs(x, mro, self.max_items)
        enum = sys.modules.get("enum")
        if enum is not None and _inherits(mro, getattr(enum, "Enum", None)) and "_name_" in attrs:
            # an enum member: its public face, not its bookkeeping
            attrs, total = {"name": attrs["_name_"], "value": attrs.get("_value_")}, 2
        if _inherits(mro, BaseException):
            attrs = dict([("args", _exc_args(x))] + list(attrs.items()))
            total += 1
        items = list(attrs.items())[: self.max_items]
        self._path.add(id(x))
        try:
            out = {}
            for k, v in items:
                out[k] = self._enc(v, depth + 1)[1]
        finally:
            self._path.discard(id(x))
        result = {"$type": "object", "class": _safe_name(t), "attrs": out}
        if total > len(items):  # attributes are not a list: the marker is a sibling key
            self.cut = True
            result["more"] = total - len(items)
        return result
