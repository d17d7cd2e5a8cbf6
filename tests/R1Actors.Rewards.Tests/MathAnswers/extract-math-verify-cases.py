"""Writes math-verify-cases.txt from a checkout of huggingface/Math-Verify (Apache-2.0): its labelled pytest tables."""
import ast
import subprocess
import sys

REPO = sys.argv[1]
COMMIT = subprocess.check_output(["git", "-C", REPO, "rev-parse", "HEAD"], text=True).strip()
FILES = ["tests/test_all.py", "tests/test_boxed.py", "tests/test_numina_cases.py", "tests/test_open_thoughts.py",
         "tests/test_yujianll.py", "tests/test_strict.py"]
rows, skipped = [], []
def enc(s):
    assert "⟂" not in s and "⏎" not in s and "⇥" not in s
    return s.replace("\r", "").replace("\n", "⏎").replace("\t", "⇥").strip()
for f in FILES:
    src = subprocess.check_output(["git", "-C", REPO, "show", f"HEAD:{f}"], text=True)
    tree = ast.parse(src)
    for fn in tree.body:
        if not isinstance(fn, ast.FunctionDef): continue
        body = ast.unparse(fn)
        for dec in fn.decorator_list:
            if not (isinstance(dec, ast.Call) and ast.unparse(dec.func).endswith("parametrize")): continue
            if fn.name == "test_float_precision":
                skipped.append((f"{f.split('/')[-1]}::{fn.name}", "precision=5 float rounding")); continue
            names = [n.strip() for n in ast.literal_eval(dec.args[0]).split(",")]
            for case in ast.literal_eval(dec.args[1]):
                c = dict(zip(names, case))
                exp = c.get("expected", c.get("result"))
                src_name = f"{f.split('/')[-1]}::{fn.name}"
                why = None
                if "precision" in c and c["precision"] != 6: why = f"precision={c['precision']}"
                elif "precision=5" in body and fn.name == "test_float_precision": why = "precision=5 float rounding"
                elif "strict" in c and not c["strict"]: why = "strict=False (variable renaming)"
                elif "allow_set_relation_comp" in c:
                    if exp == 0 or not c["allow_set_relation_comp"]:
                        if exp == 0: why = "allow_set_relation_comp=False (gold a set, prediction a relation)"
                    if c["allow_set_relation_comp"] and "\\in" in c["gold"]: why = "allow_set_relation_comp=True (gold a set, prediction a relation)"
                if why: skipped.append((src_name, why)); continue
                rows.append((src_name, c["gold"], c["pred"], exp))
out = [f"# Labelled (gold, prediction, expected) cases from huggingface/Math-Verify (Apache-2.0), commit {COMMIT},",
       "# extracted from the parametrize tables of " + ", ".join(FILES) + " with ast.literal_eval (a script), then read as they are.",
       "# Format: completion (Math-Verify's prediction, as given) ⟂ reference (its gold, as given) ⟂ =|≠ ⟂ source test.",
       "# A newline in a case is written ⏎ and a tab ⇥ (the Python literals hold real ones: '\\n' in a non-raw string).",
       f"# Skipped: {len(skipped)} cases that test options our checker has no notion of: "
       + "; ".join(sorted({f'{s} ({w})' for s, w in skipped})) + "."]
seen = set()
dups = 0
for s, g, p, e in rows:
    key = (g, p, e)
    if key in seen: dups += 1; continue
    seen.add(key)
    out.append(f"{enc(p)} ⟂ {enc(g)} ⟂ {'=' if e else '≠'} ⟂ {s}")
out.insert(5, "# Also left out: test_all.py::test_precision (sympy objects and precision=4), and test_configs.py, test_string_extraction.py,")
out.insert(6, "# test_timeout.py, test_raise_on_error.py, which test the parser's options, timeouts and errors, not (gold, prediction) pairs.")
out.insert(7, "# Regenerate: python3 extract-math-verify-cases.py <Math-Verify checkout> math-verify-cases.txt")
out.insert(8, f"# {dups} exact duplicates (same gold, prediction and label in two tables) are kept once.")
open(sys.argv[2], "w").write("\n".join(out) + "\n")
print(len(rows), "rows", dups, "dups", len(skipped), "skipped", skipped)
