"""Change detection for encoded values, at the cost of what was shown.

Encoder.encode_watched() returns, with each encoding, its watch: one check
per mutable node the encoding visited (a container, an instance, a
function's names, ...). A check re-reads what its node showed (its type,
its length, the identity of the items shown) through C-level methods, so
checking costs what the encoding showed, never the size of the value. When
every check holds, encoding the value again would give the same result.

Items are compared by identity: the same object is the same atom, and a
mutable item has checks of its own. A check keeps references to the
objects it compares, so no new object can take a compared object's address.
"""

from builtins import BaseException, all, len, map, type
from itertools import islice
from operator import is_

__all__ = ["holds", "seq_check", "map_check", "bytes_check", "type_check", "same_check"]


def holds(watch):
    """True when encoding the watched value again would give the same result."""
    try:
        for check in watch:
            if not check[0](check):
                return False
        return True
    except BaseException:  # e.g. another thread resized a dict meanwhile
        return False


def seq_check(c):
    """(seq_check, x, type, length, items shown, length fn, iter fn)"""
    x, shown = c[1], c[4]
    return type(x) is c[2] and c[5](x) == c[3] and all(map(is_, islice(c[6](x), len(shown)), shown))


def map_check(c):
    """(map_check, x, type, length, keys shown, values shown, length fn, keys fn, values fn)"""
    x, keys, values = c[1], c[4], c[5]
    return (type(x) is c[2] and c[6](x) == c[3] and all(map(is_, islice(c[7](x), len(keys)), keys))
            and all(map(is_, islice(c[8](x), len(values)), values)))


def bytes_check(c):
    """(bytes_check, x, type, length, prefix shown, length fn, slice fn)"""
    x, prefix = c[1], c[4]
    return type(x) is c[2] and c[5](x) == c[3] and c[6](x, len(prefix)) == prefix


def type_check(c):
    """(type_check, x, type): immutable values whose class could be reassigned."""
    return type(c[1]) is c[2]


def same_check(c):
    """(same_check, read, x, what read(x) gave): a tuple of objects (a function's
    names, an instance's attributes), compared by identity."""
    now, then = c[1](c[2]), c[3]
    return len(now) == len(then) and all(map(is_, now, then))
