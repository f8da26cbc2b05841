"""Probes of the encoder's integrity for encode_cases.py (which passes its
globals: the encoder module and the sample classes): the program's code
never runs, builtins are saved at import, and a watch that holds means the
encoding would not change.
"""

import collections
import random
import sys

# -- the program's code never runs ---------------------------------------------

CALLS = []


def _spy(*args, **kwargs):
    CALLS.append(1)
    raise RuntimeError("program code ran")


class SpyMeta(type):
    __eq__ = __hash__ = __repr__ = __instancecheck__ = __len__ = __bool__ = _spy


SPIED = ["__repr__", "__str__", "__eq__", "__ne__", "__lt__", "__hash__", "__len__", "__iter__", "__getitem__",
         "__getattr__", "__bool__", "__format__", "__index__", "__int__", "__float__", "keys", "items", "values"]


def _spy_class(name, bases):
    ns = {n: _spy for n in SPIED}
    ns["prop"] = property(_spy)
    return SpyMeta(name, bases, ns)


def program_code_probe(ns):
    Encoder, Plain, WithRepr, NoisyRepr = ns["Encoder"], ns["Plain"], ns["WithRepr"], ns["NoisyRepr"]
    """Encode values full of the program's hooks (each counts its calls), as
    plain values, watched values and rechecked watches."""
    Spy = _spy_class("Spy", ())
    SpyList = _spy_class("SpyList", (list,))
    SpyDict = _spy_class("SpyDict", (dict,))
    SpyInt = _spy_class("SpyInt", (int,))
    plain = Plain()
    values = []
    counter = collections.Counter()
    for build in (lambda: Spy(), lambda: [Spy(), SpyList([1, Spy()])], lambda: SpyDict(a=Spy()),
                  lambda: {1: Spy()}, lambda: SpyInt(5), lambda: Spy, lambda: [SpyInt(2 ** 60)],
                  lambda: WithRepr(Spy()), lambda: NoisyRepr()):
        values.append(build())
    plain.spy = Spy()
    values.append(plain)
    del CALLS[:]
    enc = Encoder()
    reprs = []
    for v in values:
        reprs.append(enc.encode(v)["repr"])
        _, watch = enc.encode_watched(v)
        ns["encode_module"].holds(watch)
    return {"name": "program_code", "calls": len(CALLS), "reprs": reprs}


def saved_builtins_probe(ns):
    """A program that replaces builtins (and sys.modules) changes itself, not its record."""
    import builtins
    Encoder, Plain, Color, DataPoint, Point, Level = (ns[n] for n in ("Encoder", "Plain", "Color", "DataPoint", "Point", "Level"))
    values = [[1, "a", (2.5, None)], {"k": {1, 2}}, Plain(), collections.Counter("abca"), Color.RED,
              DataPoint(1, ["a"]), Point(1, 2), list(range(200)), "s" * 600, Level.HIGH]
    before = [Encoder().encode(v) for v in values]
    names = ["id", "len", "repr", "isinstance", "issubclass", "getattr", "sorted", "min", "max", "map", "zip",
             "set", "any", "all", "slice", "reversed", "iter", "next", "hasattr"]
    saved = {n: getattr(builtins, n) for n in names}
    saved_modules = sys.modules
    del CALLS[:]
    try:
        for n in names:
            setattr(builtins, n, _spy)
        sys.modules = {}
        after = [Encoder().encode(v) for v in values]
    finally:
        sys.modules = saved_modules
        for n, f in saved.items():
            setattr(builtins, n, f)
    return {"name": "saved_builtins", "calls": len(CALLS), "same": before == after}


# -- watches: a check that holds means the encoding would not change -------------


def watch_probe(ns):
    Encoder, Node, holds = ns["Encoder"], ns["Node"], ns["encode_module"].holds
    rng = random.Random(7)
    enc = Encoder()
    dp = [[0] * 300 for _ in range(300)]
    table = {i: [i] for i in range(2000)}
    nodes = [Node(i) for i in range(100)]
    values = [dp, table, nodes, collections.deque(range(500)), {3, 1, 2}, bytearray(2000),
              collections.defaultdict(list), collections.Counter("hello")]

    def near(n):  # mostly in the shown prefix, sometimes far beyond it
        return rng.randrange(min(n, 8)) if rng.random() < 0.5 else rng.randrange(n)

    def mutate(v):
        if v is dp:
            choice = rng.random()
            row = dp[near(len(dp))]
            if choice < 0.6:
                row[near(len(row))] = rng.choice([0, 1, 2, 1.0, True, -0.0, "1"])
            elif choice < 0.8:
                dp[near(len(dp))] = list(row)
            else:
                row.append(3) if rng.random() < 0.5 else row.pop()
        elif v is table:
            k = near(2000)
            if rng.random() < 0.4:
                table[k] = [k + 1]
            elif k in table and rng.random() < 0.5:
                table[k].append(0)
            else:
                table.pop(k, None) if rng.random() < 0.5 else table.setdefault(k, [])
        elif v is nodes:
            node = nodes[near(100)]
            if rng.random() < 0.5:
                node.value = rng.choice([0, 1, "1", 1.0])
            else:
                node.next = nodes[rng.randrange(100)]
        elif type(v) is collections.deque:
            v.rotate(1) if rng.random() < 0.5 else v.append(v.popleft())
        elif type(v) is set:
            v.add(rng.randrange(50)) if rng.random() < 0.5 else v.discard(rng.randrange(50))
        elif type(v) is bytearray:
            v[near(len(v))] = rng.randrange(256)
        elif type(v) is collections.defaultdict:
            v[rng.randrange(5)].append(1)
        else:
            v[rng.choice("helo")] += rng.choice([0, 1])

    stale = skipped = detected = 0
    for _ in range(4000):
        v = rng.choice(values)
        old, watch = enc.encode_watched(v)
        mutate(v)
        if holds(watch):
            skipped += 1
            if enc.encode(v) != old:
                stale += 1
        else:
            detected += 1
    return {"name": "watch", "stale": stale, "skipped": skipped, "detected": detected}
