"""
Test helper: runs pieces of recipes/pytorch/train.py on the inputs a test sends (JSON on stdin) and
prints their results as JSON, so test/integration/pytorch-ports.test.ts can compare them with
Tickwork's TypeScript on the same inputs. Usage: python3 pytorch-probe.py <folder with train.py>
"""
import json
import math
import sys

sys.path.insert(0, sys.argv[1])
import torch  # noqa: E402
import train as T  # noqa: E402


def finite(v):
    return None if v is None or (isinstance(v, float) and not math.isfinite(v)) else v


def trajectory(case):
    """Parameters after each step of an optimizer; the kernel is given in tfjs layout [in, out]."""
    kernel = torch.nn.Parameter(torch.tensor(case["kernel"], dtype=torch.float32).T.contiguous())  # torch Linear layout [out, in]
    bias = torch.nn.Parameter(torch.tensor(case["bias"], dtype=torch.float32))
    opt = T.make_optimizer([kernel, bias], case["config"])
    out = []
    for step in case["steps"]:
        for group in opt.param_groups:
            group["lr"] = step["lr"]
        kernel.grad = torch.tensor(step["kernel"], dtype=torch.float32).T.contiguous()
        bias.grad = torch.tensor(step["bias"], dtype=torch.float32)
        opt.step()
        out.append({"kernel": kernel.detach().T.tolist(), "bias": bias.detach().tolist()})
    return out


def read_file(spec):
    try:
        file = T.DataFile(spec["path"], spec["columns"], T.MissingTokens(spec.get("missing")), spec["reader"])
        keys = {c: [] for c in spec["columns"]}
        numbers = {c: [] for c in spec["columns"]}
        for _, cells in file.chunks(size=spec.get("chunk", 7)):
            for c, cc in cells.items():
                missing = cc.missing()
                values, _ = cc.numbers()
                keys[c] += [None if missing[i] else cc.key_of(i) for i in range(len(cc.codes))]
                numbers[c] += [None if math.isnan(v) else float(v) for v in values]
        return {"header": file.header, "delimiter": file.delimiter, "records": file.records, "keys": keys, "numbers": numbers}
    except T.RecipeError as err:
        return {"error": str(err)}


req = json.load(sys.stdin)
out = {}
if "rng" in req:
    r = T.Mulberry32(req["rng"]["seed"])
    block = r.block(req["rng"]["n"]).tolist()
    out["rng"] = block + [r() for _ in range(3)]
if "shuffle" in req:
    out["shuffle"] = T.tickwork_shuffle(range(req["shuffle"]["n"]), T.Mulberry32(req["shuffle"]["seed"]))
if "split" in req:
    s = req["split"]
    out["split"] = T.split_rows(s["rows"], s["validation"], s["test"], s["seed"], s.get("strata"))
if "numbers" in req:
    out["numbers"] = [T.parse_number(T.js_trim(c)) for c in req["numbers"]]
if "numberStrings" in req:
    out["numberStrings"] = [T.js_number_string(v) for v in req["numberStrings"]]
if "dates" in req:
    ms = [T.parse_date(d) for d in req["dates"]]
    out["dates"] = [None if t is None else {"ms": t, **{p: T.date_part(t, p) for p in ("year", "month", "dayOfWeek", "hour")}} for t in ms]
if "schedules" in req:
    out["schedules"] = [[T.learning_rate_at(s, c["baseLr"], c["totalSteps"], c["config"]) for s in range(c["totalSteps"])] for c in req["schedules"]]
if "optimizers" in req:
    out["optimizers"] = [trajectory(case) for case in req["optimizers"]]
if "files" in req:
    out["files"] = [read_file(spec) for spec in req["files"]]
out["pandas"] = T.PANDAS is not None
print(json.dumps(out))
