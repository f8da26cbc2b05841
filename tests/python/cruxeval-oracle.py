"""Independent check for CRUXEval: which local variables does `f` bind?

Reads cruxeval.jsonl records on stdin, prints one JSON line per record:
{"id", "locals": [...]} computed with `symtable` on the original code (no
execution, no coderl-trace code involved). Locals = parameters plus every
name assigned in f's own scope (not globals/nonlocals/free variables).
"""
import json
import symtable
import sys

for line in sys.stdin:
    rec = json.loads(line)
    top = symtable.symtable(rec["code"], "f.py", "exec")
    names = []
    for child in top.get_children():
        if child.get_name() == "f" and child.get_type() == "function":
            names = sorted(
                s.get_name() for s in child.get_symbols()
                if (s.is_parameter() or s.is_assigned() or s.is_imported()) and not s.is_global() and not s.is_nonlocal()
                and not s.is_free()
            )
    print(json.dumps({"id": rec["id"], "locals": names}))
