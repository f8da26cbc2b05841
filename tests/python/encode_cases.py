"""Driver for encode.test.ts: encodes a fixed set of values with
tracers/python/encode.py and prints one JSON line per case.

Each line carries what the encoder produced plus independent evidence computed
here with plain Python: `oracle` is the builtin repr() with memory addresses
(and module file paths) removed by a regex, `literal` says whether
ast.literal_eval(encoded repr) gives back a value with the same builtin repr.
Hostile values set oracle to null: calling their repr() is the very thing the
encoder must avoid.

usage: python3 encode_cases.py path/to/encode.py
"""

import ast
import collections
import dataclasses
import datetime
import decimal
import enum
import fractions
import functools
import importlib.util
import json
import math
import random
import re
import sys
import time
import types

sys.path.insert(0, __import__("os").path.dirname(sys.argv[1]))  # encode.py imports its sibling modules
spec = importlib.util.spec_from_file_location("encode", sys.argv[1])
encode_module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(encode_module)
# The encoder takes its value budget from the job; these cases are written for the
# tool's default max_value_chars (src/run/limits.ts).
Encoder = functools.partial(encode_module.Encoder, max_chars=500)

out = sys.stdout  # kept aside: the encoder must not print anything itself


def oracle_repr(value, how=True):
    """Builtin repr (how=True) or object.__repr__ (how="object": what a broken
    __repr__ must fall back to), addresses and module paths removed."""
    r = object.__repr__(value) if how == "object" else repr(value)
    r = re.sub(r" at 0x[0-9a-fA-F]+", "", r)
    return re.sub(r"<module '([^']*)' (from '[^']*'|\(built-in\)|\(frozen\))>", r"<module '\1'>", r)


CASES = []


def case(name, build, oracle=True, literal=False, **options):
    CASES.append((name, build, oracle, literal, options))


# -- scalars ------------------------------------------------------------------
case("int_small", lambda: -42, literal=True)
case("int_max_safe", lambda: 2 ** 53 - 1, literal=True)
case("int_2_53", lambda: 2 ** 53, literal=True)
case("int_neg_big", lambda: -(2 ** 64), literal=True)
case("int_600_digits", lambda: 10 ** 600)
case("int_huge", lambda: 7 ** 20000, oracle=False)  # repr() itself refuses (int->str limit)
case("float_frac", lambda: 0.1, literal=True)
case("float_one", lambda: 1.0, literal=True)
case("float_neg_zero", lambda: -0.0, literal=True)
case("float_nan", lambda: float("nan"))
case("float_inf", lambda: float("inf"))
case("float_neg_inf", lambda: float("-inf"))
case("float_1e16", lambda: 1e16, literal=True)
case("str_quotes", lambda: "it's \"quoted\"", literal=True)
case("str_single_quote", lambda: "it's", literal=True)
case("str_double_quote", lambda: 'say "hi"', literal=True)
case("str_unicode", lambda: "h\u00e9llo \u2603 \U0001d11e \u4e2d\u6587", literal=True)
case("str_controls", lambda: "tab\tnl\nnul\x00bell\x07\\", literal=True)
case("str_surrogate", lambda: "\ud800x", literal=True)
case("str_long", lambda: "ab" * 600)
case("bytes", lambda: b"\x00\xffab'\"\n", literal=True)
case("bytes_long", lambda: bytes(range(256)) * 4)
case("bytearray", lambda: bytearray(b"xy"))
case("none", lambda: None, literal=True)
case("true", lambda: True, literal=True)
case("false", lambda: False, literal=True)
case("complex", lambda: 3 - 4j, literal=True)

# -- containers ---------------------------------------------------------------
case("tuple_empty", lambda: (), literal=True)
case("tuple_one", lambda: (1,), literal=True)
case("tuple_nested_one", lambda: ((1,),), literal=True)
case("tuple", lambda: (1, "a", None), literal=True)
case("list", lambda: [1, 2.5, "x", [], {}], literal=True)
case("set_ints", lambda: {3, 1, 2}, literal=True)
case("set_empty", lambda: set())
case("set_strs", lambda: {"pear", "apple", "fig", "kiwi", "banana"}, literal=True)
case("frozenset", lambda: frozenset({2, 1}))
case("frozenset_empty", lambda: frozenset())
case("dict_str_keys", lambda: {"b": 1, "a": [2]}, literal=True)
case("dict_int_keys", lambda: {2: "x", 1: "y"}, literal=True)
case("dict_tuple_keys", lambda: {(1, 2): 3, "s": None}, literal=True)
case("dict_dollar_type_key", lambda: {"$type": "int"}, literal=True)
case("dict_empty", lambda: {}, literal=True)
case("nested", lambda: {"a": [(1, {2, 3}), {"b": frozenset({4})}], 5: ((), [[]])}, literal=False)
case("shared_not_cycle", lambda: (lambda a: [a, a])([1]), literal=True)


def _cyclic_list():
    a = [1]
    a.append(a)
    return a


def _cyclic_dict():
    d = {"k": 1}
    d["self"] = d
    return d


def _cyclic_tuple():
    t = ([],)
    t[0].append(t)
    return t


case("cycle_list", _cyclic_list)
case("cycle_dict", _cyclic_dict)
case("cycle_tuple", _cyclic_tuple)
case("deep_list", lambda: [[[[[[[[[[1]]]]]]]]]])
case("big_list", lambda: list(range(10 ** 6)))
case("big_dict", lambda: dict.fromkeys(range(10 ** 6), 0))
case("big_set", lambda: set(range(10 ** 5)))
case("big_tuple", lambda: tuple(range(10 ** 6)))
case("small_caps", lambda: [list(range(5)), "x" * 10], max_items=3, max_str=4)
case("deque", lambda: collections.deque([1, 2], maxlen=5))
case("defaultdict", lambda: collections.defaultdict(list, {1: [2]}))
case("ordereddict", lambda: collections.OrderedDict([("b", 1), ("a", 2)]))
case("counter", lambda: collections.Counter("mississippi"))

# -- instances, callables, modules --------------------------------------------


class Plain:
    def __init__(self):
        self.x = 1
        self.items = [1, 2]
        self._private = "p"


class WithRepr:
    def __init__(self, v):
        self.v = v

    def __repr__(self):
        return "WithRepr(%r)" % (self.v,)


class RaisingRepr:
    def __init__(self):
        self.v = 2

    def __repr__(self):
        raise ValueError("no repr for you")


class LoopingRepr:
    def __repr__(self):
        while True:
            pass


class CountingLoopRepr:
    def __repr__(self):
        n = 0
        while True:
            n += 1


class SwallowingRepr:
    """Catches the budget exception and returns: the result must be discarded."""

    def __repr__(self):
        try:
            while True:
                pass
        except BaseException:
            return "caught it"


class RecursiveRepr:
    def __repr__(self):
        return repr(self)


class InterruptRepr:
    def __repr__(self):
        raise KeyboardInterrupt


class ExitRepr:
    def __repr__(self):
        sys.exit(3)


class MemoryRepr:
    def __repr__(self):
        raise MemoryError


class NonStrRepr:
    def __repr__(self):
        return 42


class HugeRepr:
    def __repr__(self):
        return "H" * 10 ** 6


class NoisyRepr:
    """Prints, reads stdin and draws random numbers: none of it may show."""

    def __repr__(self):
        print("NOISE-STDOUT")
        print("NOISE-STDERR", file=sys.stderr)
        random.random()
        try:
            input()
        except EOFError:
            pass
        return "Noisy()"


class Slotted:
    __slots__ = ("a", "b", "__hidden")

    def __init__(self):
        self.a = 1
        self.__hidden = 3  # b stays unset


class Hostile:
    """Every attribute hook raises or loops; the encoder must read __dict__ directly."""

    def __init__(self):
        object.__getattribute__(self, "__dict__")["x"] = 1

    def __getattribute__(self, name):
        raise RuntimeError("__getattribute__ called")

    def __getattr__(self, name):
        while True:
            pass

    @property
    def prop(self):
        raise RuntimeError("property called")


class DictProperty:
    @property
    def __dict__(self):
        raise RuntimeError("__dict__ property called")


class HostileMeta(type):
    def __eq__(cls, other):
        raise RuntimeError("metaclass __eq__")

    def __hash__(cls):
        raise RuntimeError("metaclass __hash__")

    def __getattribute__(cls, name):
        raise RuntimeError("metaclass __getattribute__")


class MetaHostile(metaclass=HostileMeta):
    def __init__(self):
        self.y = 2


class Node:
    def __init__(self, value, nxt=None):
        self.value = value
        self.next = nxt


def _cyclic_node():
    n = Node(1)
    n.next = n
    return n


Point = collections.namedtuple("Point", "x y")


class Color(enum.Enum):
    RED = 1


class Level(enum.IntEnum):
    HIGH = 3


@dataclasses.dataclass
class DataPoint:
    x: int
    tags: list


case("obj_plain", Plain)
case("obj_many_attrs", lambda: type("Wide", (), {"__init__": lambda self: self.__dict__.update(("a%d" % i, i) for i in range(60))})())
case("obj_with_repr", lambda: WithRepr([1, "a"]), oracle="object")  # its __repr__ is the program's code: never run
case("obj_raising_repr", RaisingRepr, oracle="object")
case("obj_looping_repr", LoopingRepr, oracle="object")
case("obj_counting_loop_repr", CountingLoopRepr, oracle="object")
case("obj_swallowing_repr", SwallowingRepr, oracle="object")
case("obj_recursive_repr", RecursiveRepr, oracle="object")
case("obj_interrupt_repr", InterruptRepr, oracle="object")
case("obj_exit_repr", ExitRepr, oracle="object")
case("obj_memory_repr", MemoryRepr, oracle="object")
case("obj_nonstr_repr", NonStrRepr, oracle="object")
case("obj_huge_repr", HugeRepr, oracle="object")
case("obj_noisy_repr", NoisyRepr, oracle="object")
case("obj_slots", Slotted)
case("obj_hostile_attrs", Hostile, oracle=False)
case("obj_dict_property", DictProperty)
case("obj_hostile_metaclass", MetaHostile, oracle=False)
case("obj_linked", lambda: Node(1, Node(2)))
case("obj_cycle", _cyclic_node)
case("obj_deep", lambda: Node(0, Node(1, Node(2, Node(3, Node(4, Node(5, Node(6))))))))
case("list_of_looping", lambda: [LoopingRepr() for _ in range(20)], oracle=False, max_chars=2000)
case("namedtuple", lambda: Point(1, [2]), literal=False)
case("dataclass", lambda: DataPoint(1, ["a"]))
case("exception", lambda: ValueError("bad", 2))


def _function():
    return 1


def _generator():
    yield 1


case("function", lambda: _function)
case("lambda", lambda: (lambda: 0))
case("builtin_function", lambda: len)
case("builtin_method", lambda: [].append)
case("bound_method", lambda: WithRepr(3).__repr__, oracle=False)
case("class", lambda: Plain)
case("builtin_class", lambda: int)
case("module", lambda: math)
case("module_builtin", lambda: sys)
case("generator", _generator)
case("genexpr", lambda: (i for i in range(3)))
case("range", lambda: range(2, 9, 3))
case("fraction", lambda: fractions.Fraction(3, 4))
case("decimal", lambda: decimal.Decimal("1.10"))
case("date", lambda: datetime.date(2024, 2, 29))
case("enum", lambda: Color.RED)
case("int_enum", lambda: Level.HIGH)
case("namespace", lambda: types.SimpleNamespace(a=1, b=[2]))
case("pattern", lambda: re.compile(r"a+b"))

# -- subclasses of builtins with hostile dunders ------------------------------


def _boom(*args, **kwargs):
    raise RuntimeError("hostile dunder called")


def _hostile(base, extra=()):
    names = ["__len__", "__iter__", "__getitem__", "__eq__", "__ne__", "__lt__", "__hash__",
             "__contains__", "__bool__", "__index__", "__int__", "__float__", "__str__",
             "__format__", "keys", "items", "values", "__getattribute__", "__getattr__"]
    return type("Hostile" + base.__name__.capitalize(), (base,), {n: _boom for n in names + list(extra)})


HList = _hostile(list)
HTuple = _hostile(tuple)
HDict = _hostile(dict)
HSet = _hostile(set)
HFrozen = _hostile(frozenset)
HStr = _hostile(str)
HInt = _hostile(int)
HFloat = _hostile(float)
HBytes = _hostile(bytes)


class LoopList(list):
    def __repr__(self):
        while True:
            pass


case("sub_list", lambda: HList([1, [2]]))
case("sub_tuple", lambda: HTuple((1,)))
case("sub_dict", lambda: HDict({1: "a", "b": 2}))
case("sub_set", lambda: HSet({1}), oracle=False)  # set_repr itself iterates via the hostile __iter__
case("sub_frozenset", lambda: HFrozen({1}), oracle=False)
case("sub_str", lambda: HStr("x'y"))
case("sub_int", lambda: HInt(2 ** 60))
case("sub_float", lambda: HFloat(2.5))
case("sub_bytes", lambda: HBytes(b"ab"))
case("sub_list_looping_repr", lambda: LoopList([1, 2]), oracle=False)
case("list_of_hostiles", lambda: [HList([1]), HStr("s"), HInt(3), HDict({})])


# -- one budget for the whole value ---------------------------------------------

from encode_check import consistent  # the traced-run checker: one reading of the tag table
import encode_probes  # noqa: E402  (probes of the encoder's integrity, on the classes defined here)


LARGE = [
    ("dp_table", lambda: [[(i * 31 + j) % 97 for j in range(1000)] for i in range(1000)]),
    ("dict_1e5", lambda: {i: [i, str(i)] for i in range(10 ** 5)}),
    ("str_dict_1e5", lambda: {"k%d" % i: i for i in range(10 ** 5)}),
    ("str_1mb", lambda: "ab" * (1 << 19)),
    ("bytes_1mb", lambda: bytes(1 << 20)),
    ("int_1e6_digits", lambda: 10 ** 1000000),
    ("int_4000_digits", lambda: 7 ** 4700),
    ("nested_dicts", lambda: {k: {i: list(range(100)) for i in range(100)} for k in "abcdefghij"}),
    ("long_strs", lambda: ["x" * 10000] * 1000),
    ("deep_lists", lambda: __import__("functools").reduce(lambda acc, _: [acc, list(range(50))], range(100), [])),
    ("tuples_3d", lambda: tuple(tuple(tuple(range(30)) for _ in range(30)) for _ in range(30))),
]


def large_probe(name, build):
    value = build()
    enc = Encoder()
    result = enc.encode(value)
    return {
        "name": name, "repr": result["repr"][:2000], "cut": enc.cut, "nodes": enc.nodes,
        "repr_chars": len(result["repr"]), "json_chars": len(json.dumps(result["json"])),
        "consistent": consistent(result["json"], value),
    }


def run_case(name, build, want_oracle, want_literal, options):
    value = build()
    enc = Encoder(**options)
    start = time.perf_counter()
    try:
        result = enc.encode(value)
        error = None
    except BaseException as exc:  # the encoder promises never to raise
        result, error = {"repr": None, "json": None}, "%s: %s" % (type(exc).__name__, exc)
    ms = (time.perf_counter() - start) * 1000
    # A capped repr is not comparable (and the full repr of a 1e6 list is just noise).
    oracle = oracle_repr(value, want_oracle) if want_oracle and not enc.cut else None
    literal = None
    if want_literal and result["repr"] is not None:
        try:
            back = ast.literal_eval(result["repr"])
            literal = back == value and type(back) is type(value) and repr(back) == repr(value) \
                if type(value) is not set else back == value and type(back) is set
        except Exception:
            literal = False
    return {
        "name": name, "repr": result["repr"], "json": result["json"], "cut": enc.cut,
        "oracle": oracle, "literal": literal, "ms": ms, "error": error,
    }


def global_state_probe():
    """Encode hostile values and report global state the encoder must leave alone."""
    before = {
        "trace": sys.gettrace(), "random": random.getstate(), "recursion": sys.getrecursionlimit(),
        "streams": (sys.stdin, sys.stdout, sys.stderr),
    }
    enc = Encoder()
    for value in (NoisyRepr(), LoopingRepr(), RaisingRepr(), RecursiveRepr(), [NoisyRepr()]):
        enc.encode(value)
    return {
        "name": "global_state",
        "trace_unchanged": sys.gettrace() is before["trace"],
        "random_unchanged": random.getstate() == before["random"],
        "recursion_unchanged": sys.getrecursionlimit() == before["recursion"],
        "streams_unchanged": (sys.stdin, sys.stdout, sys.stderr) == before["streams"],
        "stdin_left": sys.stdin.read(),  # NoisyRepr's input() must not have consumed it
    }


def deep_stack_probe():
    """encode() called from just below the recursion limit still works."""
    limit = sys.getrecursionlimit()
    value = [[[[[[1]]]]]]

    def dive(n):
        if n > 0:
            return dive(n - 1)
        return Encoder().encode(value)

    here = len(_stack())
    result = dive(limit - here - 15)
    return {"name": "deep_stack", "repr": result["repr"], "oracle": repr(value)}


def _stack():
    frames, f = [], sys._getframe()
    while f is not None:
        frames.append(f)
        f = f.f_back
    return frames


def determinism_probe():
    """Set json must not depend on the hash seed; run with different PYTHONHASHSEED."""
    enc = Encoder()
    value = {"pear", "apple", "fig", "kiwi", "banana", "cherry", "date"}
    result = enc.encode(value)
    return {"name": "determinism", "repr": result["repr"], "json": result["json"], "oracle": repr(value)}


def main():
    if len(sys.argv) > 2 and sys.argv[2] == "determinism":
        out.write(json.dumps(determinism_probe()) + "\n")
        return
    for name, build, want_oracle, want_literal, options in CASES:
        out.write(json.dumps(run_case(name, build, want_oracle, want_literal, options), allow_nan=False) + "\n")
    out.write(json.dumps(global_state_probe()) + "\n")
    for name, build in LARGE:
        out.write(json.dumps(large_probe(name, build)) + "\n")
    for probe in (encode_probes.program_code_probe, encode_probes.saved_builtins_probe, encode_probes.watch_probe):
        out.write(json.dumps(probe(globals())) + "\n")
    out.write(json.dumps(deep_stack_probe()) + "\n")
    out.flush()


main()
