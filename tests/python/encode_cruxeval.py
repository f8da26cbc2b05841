"""CRUXEval return values through the encoder: for every record, run the
function plainly, encode what the call returned, and compare the encoded repr
with the corpus' expected_output (an independent reference). Prints one JSON
object: {"total", "matched", "cut", "mismatches": [...]}.

usage: python3 encode_cruxeval.py path/to/encode.py path/to/cruxeval.jsonl
"""

import importlib.util
import io
import json
import sys

sys.path.insert(0, __import__("os").path.dirname(sys.argv[1]))  # encode.py imports its sibling modules
spec = importlib.util.spec_from_file_location("encode", sys.argv[1])
encode_module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(encode_module)

total = matched = cut = 0
mismatches = []
real_stdout = sys.stdout
with open(sys.argv[2], encoding="utf-8") as corpus:
    for line in corpus:
        record = json.loads(line)
        total += 1
        namespace = {"__name__": "__main__"}
        sys.stdout = io.StringIO()  # a few functions print
        try:
            exec(record["code"], namespace)
            value = eval(record["input_call"], namespace)
        finally:
            sys.stdout = real_stdout
        encoder = encode_module.Encoder(max_chars=2000)
        got = encoder.encode(value)["repr"]
        if encoder.cut:
            cut += 1
        if got == record["expected_output"]:
            matched += 1
        else:
            mismatches.append({"id": record["id"], "expected": record["expected_output"], "got": got})
print(json.dumps({"total": total, "matched": matched, "cut": cut, "mismatches": mismatches}))
