"""Everything but builtin containers and scalars, for encode.Encoder: class
instances, classes, functions, modules, generators and the standard-library
values whose repr is reproduced here.

Nothing here calls the program's code: fields are read through the
descriptors of the instance's type (member and getset descriptors, which
are C), class facts through the descriptors of `type`, module facts from
the module's dict, and a repr is called only for a few C types whose repr
calls nothing back (_C_REPRS).
"""

# Saved before the program runs (module globals shadow builtins).
from builtins import AttributeError, BaseException, any, dict, id, len, list, reversed, slice, str, tuple, type, zip
import sys
import types
from itertools import islice

import watch as _watch

_type_check, _same_check = _watch.type_check, _watch.same_check

# Descriptors of `type` itself: reading class facts through them bypasses any
# metaclass __getattribute__ or property.
_type_dict = type.__dict__["__dict__"].__get__
type_mro = type.__dict__["__mro__"].__get__
_type_name = type.__dict__["__name__"].__get__
_type_qualname = type.__dict__["__qualname__"].__get__
_type_module = type.__dict__["__module__"].__get__
_type_flags = type.__dict__["__flags__"].__get__
_HEAPTYPE = 1 << 9  # Py_TPFLAGS_HEAPTYPE: a class written in Python (or a C extension's heap type)
_IMMUTABLE = 1 << 8 if sys.version_info >= (3, 10) else 0  # Py_TPFLAGS_IMMUTABLETYPE: never a Python class

_modules = sys.modules  # the interpreter's own dict, even if the program rebinds sys.modules
_ModuleType = types.ModuleType
_FunctionType = types.FunctionType
_MethodType = types.MethodType
_GetSet = types.GetSetDescriptorType
_Member = types.MemberDescriptorType
_WrapperDescriptor = types.WrapperDescriptorType
_module_dict = _ModuleType.__dict__["__dict__"].__get__
_fn_name = _FunctionType.__dict__["__name__"].__get__
_fn_qualname = _FunctionType.__dict__["__qualname__"].__get__
_fn_code = _FunctionType.__dict__["__code__"].__get__
_fn_dict = _FunctionType.__dict__["__dict__"].__get__
_method_func = _MethodType.__dict__["__func__"].__get__
_method_self = _MethodType.__dict__["__self__"].__get__
_exc_args = BaseException.__dict__["args"].__get__
_ns_type = types.SimpleNamespace

_BUILTIN_CALLABLES = tuple(
    t for t in (
        types.BuiltinFunctionType, getattr(types, "MethodWrapperType", None), getattr(types, "WrapperDescriptorType", None),
        getattr(types, "MethodDescriptorType", None), getattr(types, "ClassMethodDescriptorType", None),
    ) if t is not None
)
_FUNCTION_IDS = frozenset(id(t) for t in _BUILTIN_CALLABLES + (_FunctionType, _MethodType))
_GENERATOR_KINDS = {
    id(types.GeneratorType): ("generator", types.GeneratorType),
    id(types.CoroutineType): ("coroutine", types.CoroutineType),
    id(types.AsyncGeneratorType): ("async_generator", types.AsyncGeneratorType),
}
# C types (never written in Python, so their names cannot be forged) whose
# repr is computed in C from numbers, strings and type names only.
_PLAIN_C_REPRS = frozenset(id(t) for t in (range, complex, type(Ellipsis), type(NotImplemented), memoryview) + _BUILTIN_CALLABLES)
_C_REPRS = frozenset([
    ("decimal", "Decimal"), ("datetime", "date"), ("datetime", "timedelta"),
    ("datetime", "time"), ("datetime", "datetime"), ("re", "Pattern"),
])
_CYCLE = {"$type": "cycle"}
_DEPTH = {"$type": "depth"}


def exact_str(s):
    """An exact str from a str or str subclass, without calling user code."""
    return s if type(s) is str else str.__str__(s)


def safe_name(t):
    name = _type_name(t)
    return name if type(name) is str else "?"


def inherits(mro, cls):
    """cls in mro, by identity (`in` would call a metaclass __eq__)."""
    for c in mro:
        if c is cls:
            return True
    return False


def _class_dict_lookup(mro, name):
    """(owner class, attribute) of the first class in mro defining name."""
    for c in mro:
        d = _type_dict(c)
        if name in d:
            return c, d[name]
    return None, None


def _module_attr(module_name, name):
    """module_name.name from the real sys.modules, without running a module __getattr__."""
    module = dict.get(_modules, module_name)
    return dict.get(_module_dict(module), name) if type(module) is _ModuleType else None


def _slot(obj, name):
    """obj.name read through a member descriptor of its class (C), else None."""
    owner, desc = _class_dict_lookup(type_mro(type(obj)), name)
    if type(desc) is not _Member:
        return None
    try:
        return desc.__get__(obj, owner)
    except AttributeError:
        return None


def _in_python(t):
    """t was written in Python: its attributes (and names) are the program's to change."""
    flags = _type_flags(t)
    return bool(flags & _HEAPTYPE) and not flags & _IMMUTABLE


def _fn_names(f):
    return (_fn_qualname(f), _fn_name(f))


def _class_names(c):
    return (_type_name(c), _type_qualname(c), _type_module(c))


def _module_name(m):
    md = _module_dict(m)
    return (dict.get(md, "__name__") if type(md) is dict else None,)


def _defined_in(fn, module_name):
    """fn is a Python function from the file of the (real) module module_name."""
    if type(fn) is not _FunctionType:
        return False
    path = _module_attr(module_name, "__file__")
    return path is not None and _fn_code(fn).co_filename == path


class Objects:
    """Mixin of encode.Encoder for values that are not builtin containers or scalars."""

    def _watch_add(self, check):
        if self._watch is not None:
            self._watch.append(check)

    def _other(self, x, t, depth):
        tid = id(t)
        if tid in _FUNCTION_IDS:
            return self._function(x, t, depth)
        kind = _GENERATOR_KINDS.get(tid)
        if kind is not None:
            return self._generator(x, *kind)
        self._watch_add((_type_check, x, t))  # __class__ can be reassigned
        mro = type_mro(t)
        if inherits(mro, type):
            return self._class(x)
        if inherits(mro, _ModuleType):
            self._watch_add((_same_check, _module_name, x, _module_name(x)))
            name = _module_name(x)[0]
            name = name if type(name) is str else "?"
            return self._spend("<module %s>" % str.__repr__(name)), {"$type": "module", "name": name}
        owner, repr_fn = _class_dict_lookup(mro, "__repr__")
        base = None
        for c in mro:
            if id(c) in self._by_base:
                base = c
                break
        if base is not None and owner is base:  # a subclass keeping the builtin repr
            return self._by_base[id(base)](x, depth, t)
        known = self._known_repr(x, t, mro, owner, repr_fn, depth)
        r, j = known if known is not None else (self._spend(self._default_repr(t)), None)
        if j is None:  # json: what the value holds, whatever its repr says
            j = self._by_base[id(base)](x, depth, t)[1] if base is not None else self._object_json(x, t, mro, depth)
        return r, j

    def _default_repr(self, t):
        """object.__repr__ without the address: <module.Qualname object>."""
        qual = _type_qualname(t)
        qual = qual if type(qual) is str else safe_name(t)
        module = _type_module(t)
        if type(module) is str and module != "builtins":
            qual = module + "." + qual
        return "<%s object>" % qual

    def _function(self, x, t, depth):
        if t is _FunctionType:
            names = _fn_names(x)
            self._watch_add((_same_check, _fn_names, x, names))
            return self._spend("<function %s>" % exact_str(names[0])), {"$type": "function", "name": exact_str(names[1])}
        if t is _MethodType:
            func, owner = _method_func(x), _method_self(x)
            self_repr = self._enc(owner, depth + 1)[0]
            name = "?"
            if type(func) is _FunctionType:
                names = _fn_names(func)
                self._watch_add((_same_check, _fn_names, func, names))
                name = exact_str(names[1])
                return (self._spend("<bound method %s of %s>" % (exact_str(names[0]), self_repr)),
                        {"$type": "function", "name": name})
            return self._spend("<bound method of %s>" % self_repr), {"$type": "function", "name": name}
        # builtin callables: C reprs from names and type names only
        r = _strip_addresses(_class_dict_lookup(type_mro(t), "__repr__")[1](x))
        desc = _type_dict(t).get("__name__")
        name = desc.__get__(x, t) if type(desc) is _GetSet or type(desc) is _Member else None
        return self._spend(r), {"$type": "function", "name": name if type(name) is str else safe_name(t)}

    def _generator(self, x, kind, gen_type):
        read = (_type_dict(gen_type)["__qualname__"].__get__, _type_dict(gen_type)["__name__"].__get__)
        names = (read[0](x), read[1](x))
        self._watch_add((_same_check, lambda g: (read[0](g), read[1](g)), x, names))
        return (self._spend("<%s object %s>" % (kind, exact_str(names[0]))),
                {"$type": "generator", "name": exact_str(names[1])})

    def _class(self, x):
        names = _class_names(x)
        self._watch_add((_same_check, _class_names, x, names))
        name = safe_name(x)
        qual = names[1] if type(names[1]) is str else name
        if type(names[2]) is str and names[2] != "builtins":
            qual = names[2] + "." + qual
        # A metaclass __repr__ (e.g. <enum 'Color'>) is the program's code: not run.
        return self._spend("<class %s>" % str.__repr__(qual)), {"$type": "class", "name": name}

    # -- reprs reproduced here -------------------------------------------------

    def _known_repr(self, x, t, mro, owner, repr_fn, depth):
        """(repr, json or None for the usual json) as Python would print it,
        for classes whose __repr__ we know without calling it; else None."""
        if owner is None:
            return None
        owner_dict = _type_dict(owner)
        if _defined_in(repr_fn, "collections") and "_fields" in owner_dict:
            return self._namedtuple(x, t, owner_dict["_fields"], depth)
        if "__dataclass_fields__" in owner_dict and type(repr_fn) is _FunctionType:
            wrapped = dict.get(_fn_dict(repr_fn), "__wrapped__")
            if type(wrapped) is _FunctionType and _fn_code(wrapped).co_name == "__repr__" and \
                    _fn_code(wrapped).co_filename in (_module_attr("dataclasses", "__file__"), "<string>"):
                return self._dataclass(x, t, mro, owner_dict["__dataclass_fields__"], depth)
        enum_cls = _module_attr("enum", "Enum")
        if enum_cls is not None and inherits(mro, enum_cls) and repr_fn is _type_dict(enum_cls).get("__repr__"):
            return self._enum(x, t, mro, depth)
        if _defined_in(repr_fn, "fractions") and _fn_code(repr_fn).co_name == "__repr__":
            num, den = _slot(x, "_numerator"), _slot(x, "_denominator")
            if type(num) is int and type(den) is int:
                return self._spend("%s(%d, %d)" % (safe_name(t), num, den)), None
        if owner is _ns_type:
            name = "namespace" if t is _ns_type else safe_name(t)
            return self._fields(x, depth, name, self._read_attrs(x, self._plan(t, mro), self.max_items)[0]), None
        if owner is BaseException:
            args = _exc_args(x)
            r = self._enc(args, depth + 1)[0] if type(args) is tuple else "(?)"
            if type(args) is tuple and tuple.__len__(args) == 1 and r.endswith(",)"):
                r = r[:-2] + ")"
            return safe_name(t) + r, None
        if not _in_python(owner) and type(x) is owner and \
                (id(owner) in _PLAIN_C_REPRS or self._c_repr_safe(x, owner)):
            return self._spend(_strip_addresses(owner_dict["__repr__"](x))), None
        return None

    def _c_repr_safe(self, x, t):
        """A C repr that calls nothing back: no tzinfo whose repr could be Python's."""
        if (_type_module(t), _type_qualname(t)) not in _C_REPRS:
            return False
        tz = _type_dict(t).get("tzinfo")
        if tz is not None and (type(tz) is not _GetSet or tz.__get__(x, t) is not None):
            return False
        pattern = _type_dict(t).get("pattern")
        if pattern is None:
            return True
        kind = type(pattern.__get__(x, t))
        return kind is str or kind is bytes

    def _fields(self, x, depth, name, pairs):
        """'Name(a=1, b=[2])' from (field, value) pairs, in the budget."""
        if depth >= self.max_depth:
            self.cut = True
            return "..."
        if id(x) in self._path:
            return name + "(...)"
        self._path.add(id(x))
        parts = []
        try:
            for field, value in pairs:
                if self._left <= 0:
                    break
                parts.append("%s=%s" % (field, self._enc(value, depth + 1)[0]))
                self._left -= len(field) + 3
        finally:
            self._path.discard(id(x))
        if len(parts) < len(pairs):
            self.cut = True
            parts.append("...")
        return self._spend(name) + "(" + ", ".join(parts) + ")"

    def _namedtuple(self, x, t, fields, depth):
        if type(fields) is not tuple or tuple.__len__(x) != len(fields):
            return None
        pairs = list(zip([exact_str(f) for f in fields], tuple.__getitem__(x, slice(0, self.max_items))))
        r = self._fields(x, depth, safe_name(t), pairs)
        return r, (_DEPTH if r == "..." else self._object_json_from(x, t, pairs, len(fields), depth))

    def _dataclass(self, x, t, mro, fields, depth):
        if type(fields) is not dict:
            return None
        marker = _module_attr("dataclasses", "_FIELD")
        names = []
        for f in dict.values(fields):
            if _slot(f, "_field_type") is marker and _slot(f, "repr") is True:
                names.append(_slot(f, "name"))
        values = dict(self._read_attrs(x, self._plan(t, mro), None)[0])
        if any(type(n) is not str or n not in values for n in names):
            return None  # a field lives somewhere we do not read
        qual = _type_qualname(t)
        qual = qual if type(qual) is str else safe_name(t)
        return self._fields(x, depth, qual, [(n, values[n]) for n in names[: self.max_items]]), None

    def _enum(self, x, t, mro, depth):
        attrs = dict(self._read_attrs(x, self._plan(t, mro), None)[0])
        name = dict.get(attrs, "_name_")
        _, value_repr = _class_dict_lookup(mro, "_value_repr_")
        if type(name) is not str or "_value_" not in attrs or \
                (value_repr is not None and type(value_repr) is not _WrapperDescriptor):
            return None
        value = self._enc(attrs["_value_"], depth + 1)[0]
        return self._spend("<%s.%s: %s>" % (safe_name(t), name, value)), None

    # -- fields of instances ---------------------------------------------------

    def _plan(self, t, mro):
        """How to read the fields of t's instances: (t, [(name, owner, member
        descriptor)] of its __slots__, (owner, descriptor) of its __dict__)."""
        plan = self._plans.get(id(t))
        if plan is not None and plan[0] is t:
            return plan
        slots = []
        for c in reversed(mro):
            names = _type_dict(c).get("__slots__")
            if type(names) is str:
                names = (names,)
            if type(names) is not tuple and type(names) is not list:
                continue
            cname = safe_name(c).lstrip("_")
            for slot in names:
                if type(slot) is not str or slot == "__dict__" or slot == "__weakref__":
                    continue
                key = "_%s%s" % (cname, slot) if slot.startswith("__") and not slot.endswith("__") else slot
                desc = _type_dict(c).get(key)
                if type(desc) is _Member:
                    slots.append((key, c, desc))
        owner, desc = _class_dict_lookup(mro, "__dict__")
        plan = (t, slots, (owner, desc) if type(desc) is _GetSet or type(desc) is _Member else None)
        self._plans[id(t)] = plan
        return plan

    def _read_attrs(self, x, plan, limit):
        """([(name, value)] from __slots__ then the first `limit` of __dict__,
        how many fields there are)."""
        attrs = []
        total = 0
        for key, owner, desc in plan[1]:
            try:
                attrs.append((key, desc.__get__(x, owner)))
                total += 1
            except AttributeError:  # slot never assigned
                pass
        if plan[2] is not None:
            try:
                d = plan[2][1].__get__(x, plan[2][0])
            except BaseException:
                d = None
            if type(d) is dict:
                total += dict.__len__(d)
                for k, v in islice(dict.items(d), limit):
                    if type(k) is str:
                        attrs.append((k, v))
        return attrs, total

    def _object_json(self, x, t, mro, depth):
        if not (_in_python(t) or inherits(mro, BaseException) or "__dict__" in _type_dict(t)):
            return {"$type": "opaque", "name": safe_name(t)}
        plan = self._plan(t, mro)
        attrs, total = self._read_attrs(x, plan, self.max_items)
        self._watch_add((_same_check, lambda o: _flat(self._read_attrs(o, plan, self.max_items)), x, _flat((attrs, total))))
        enum_cls = _module_attr("enum", "Enum")
        if enum_cls is not None and inherits(mro, enum_cls) and "_name_" in dict(attrs):
            # an enum member: its public face, not its bookkeeping
            d = dict(attrs)
            attrs, total = [("name", d["_name_"]), ("value", dict.get(d, "_value_"))], 2
        if inherits(mro, BaseException):
            args = _exc_args(x)
            self._watch_add((_same_check, lambda e: (_exc_args(e),), x, (args,)))
            attrs = [("args", args)] + attrs
            total += 1
        return self._object_json_from(x, t, attrs, total, depth)

    def _object_json_from(self, x, t, attrs, total, depth):
        """{"$type": "object", "class", "attrs"} from (name, value) pairs, in the budget."""
        if depth >= self.max_depth:
            self.cut = True
            return _DEPTH
        if id(x) in self._path:
            return _CYCLE
        self._path.add(id(x))
        out = {}
        try:
            for k, v in attrs[: self.max_items]:
                if self._left <= 0:
                    break
                self._left -= len(k) + 3
                out[k] = self._enc(v, depth + 1)[1]
        finally:
            self._path.discard(id(x))
        result = {"$type": "object", "class": safe_name(t), "attrs": out}
        if total > len(out):  # attributes are not a list: the marker is a sibling key
            self.cut = True
            result["more"] = total - len(out)
        return result


def _flat(read):
    """An identity-comparable tuple of _read_attrs' result."""
    attrs, total = read
    out = [total]
    for k, v in attrs:
        out.append(k)
        out.append(v)
    return tuple(out)


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
