"""Variables of a frame, as recorded values, at a cost that does not grow
with the program's data.

Used by the tracer's hooks: diff() finds the variables of a frame whose
recorded value changed since its last event; capture() keeps a scope's
variables at a frame exit after the event cap.
A value is encoded only when it may have changed: an atom (int, str, ...)
that is the same object is unchanged, and any other value that is the same
object is unchanged while its watch holds (watch.py: the checks re-read only
what its encoding showed, so a 1000 x 1000 table costs what its first row
costs). Everything here runs with references saved at import, so a program
that patches json, builtins or os changes itself, not its record.
"""

# Saved before the program runs (module globals shadow builtins).
from builtins import bool, dict, frozenset, id, int, len, str, type
from channel import to_json
from encode import holds

# Values of these types are immutable all the way down, so "same object as
# last time" means "same value" and the encoder can be skipped. By id: a
# program's metaclass could answer a hash or == of its class.
ATOMIC_IDS = frozenset(id(t) for t in (int, float, str, bool, type(None), bytes, complex, range))
# Atoms whose encoding is cached by (type, value). Not float: 0.0 == -0.0.
_CACHED_ATOMS = frozenset([int, str, bool, type(None)])
_CACHED_INT = 2 ** 63
_MAX_SAFE = 2 ** 53
_int_repr = int.__repr__


def is_hidden(name):
    return name.startswith("__") and name.endswith("__")


# The watch of a name bound by the judge's prelude (harness.py): while it
# holds that object it is not the program's variable, so not an event.
PRELUDE = object()


class Recorded:
    """A variable's value as last recorded: the object, its encoding, and
    the watch that says whether the object still shows that encoding."""
    __slots__ = ("obj", "value", "watch")

    def __init__(self, obj, value, watch):
        self.obj = obj
        self.value = value
        self.watch = watch

    def holds_for(self, obj):
        return self.obj is obj and (self.watch is PRELUDE or (self.watch is not None and holds(self.watch)))


class Snapshots:
    def __init__(self, encoder):
        self.encoder = encoder
        self.atom_cache = {}  # (type, value) -> encoded value
        self.atom_json = {}   # id(encoded value in atom_cache) -> its JSON text (those values live as long as the cache)

    def release(self):
        """Drop the cached encodings (after END: the program's objects are finalized)."""
        self.atom_cache.clear()
        self.atom_json.clear()

    def atom(self, obj, t):
        """The encoding of an atom, cached for small ints and short strings."""
        if t in _CACHED_ATOMS and (t is not str or len(obj) <= 64) and (t is not int or -_CACHED_INT < obj < _CACHED_INT):
            key = (t, obj)  # the type too: 1, True and 1.0 are equal keys otherwise
            value = self.atom_cache.get(key)
            if value is None:
                # A safe integer is its own JSON (tracers/README.md): skip the encoder.
                value = {"repr": _int_repr(obj), "json": obj} if t is int and -_MAX_SAFE < obj < _MAX_SAFE else self.encoder.encode(obj)
                if len(self.atom_cache) < 65536:
                    self.atom_cache[key] = value
                    self.atom_json[id(value)] = to_json(value)
            return value
        return self.encoder.encode(obj)

    def diff(self, prev, loc):
        """{name: value} of the variables in loc whose recorded value changed
        since prev ({name: Recorded}, updated)."""
        changed = {}
        visible = 0
        encode_watched = self.encoder.encode_watched
        for name, obj in loc.items():
            if type(name) is not str or is_hidden(name):
                continue
            visible += 1
            old = prev.get(name)
            t = type(obj)
            if id(t) in ATOMIC_IDS:
                if old is not None and old.obj is obj:
                    continue
                value, watch = self.atom(obj, t), None
            else:
                if old is not None and old.holds_for(obj):
                    continue
                value, watch = encode_watched(obj)
            if old is None or old.value != value:
                changed[name] = value
            prev[name] = Recorded(obj, value, watch)
        if len(prev) > visible:  # `del x`: forget it so a rebinding is an event
            for name in [n for n in prev if n not in loc]:
                del prev[name]
        return changed

    def capture(self, loc, last):
        """A scope's variables at a frame exit after the event cap, encoded at
        the end: atoms as they are (immutable), anything else as Recorded,
        reused from `last` (the scope's previous capture) while its watch holds."""
        snap = {}
        encode_watched = self.encoder.encode_watched
        for name, obj in loc.items():
            if type(name) is not str:
                continue
            if id(type(obj)) in ATOMIC_IDS:
                snap[name] = obj  # hidden names go at the end
            elif not is_hidden(name):
                old = last.get(name) if last is not None else None
                if type(old) is Recorded and old.holds_for(obj):
                    snap[name] = old
                else:
                    value, watch = encode_watched(obj)
                    snap[name] = Recorded(obj, value, watch)
        return snap

    def resolve(self, finals):
        """{scope: {name: value}} from what the hooks kept: encodings, atoms and Recorded."""
        out = {}
        for scope, values in finals.items():
            resolved = {}
            for name, v in values.items():
                if type(name) is not str or is_hidden(name):
                    continue
                t = type(v)
                if t is Recorded:
                    resolved[name] = v.value
                elif id(t) in ATOMIC_IDS:
                    resolved[name] = self.encoder.encode(v)
                else:
                    resolved[name] = v
            out[scope] = resolved
        return out

    def encode_all(self, loc):
        encode = self.encoder.encode
        return {name: encode(obj) for name, obj in loc.items() if type(name) is str and not is_hidden(name)}

    def event_line(self, k, fid, changed):
        """The JSON line of an event, as to_json would write it, built from
        each cached atom's JSON text: most events change one small int."""
        texts = self.atom_json
        parts = []
        for name, value in changed.items():
            text = texts.get(id(value))
            if text is None:
                text = to_json(value)
            # An identifier needs no JSON escaping (no quote, backslash or control character).
            key = '"' + name + '"' if name.isidentifier() else to_json(name)
            parts.append(key + ":" + text)
        return '["E",%d,%d,{%s}]\n' % (k, fid, ",".join(parts))
