"""PyTorch reference for bench/train-speed.ts: what `tickwork train` does, written as an analyst
would in PyTorch, on one thread.

  python3 bench/pytorch_mlp.py --csv data.csv --target label --hidden 64,64 --batch 128 --epochs 5

Reads the CSV with pandas, splits it 70/15/15 (seeded), standardizes the features with the
training split's mean and std, trains an MLP (ReLU hidden layers, one sigmoid output, BCE loss,
Adam lr 1e-3) and after each epoch evaluates loss, accuracy and AUC on up to 10,000 training rows
and on the validation split (as Tickwork does), then on all three splits at the end, and saves
the weights. Prints one JSON line: the seconds of each epoch's training pass (forward, backward,
update over every batch; evaluation excluded), as wall time and as this process's CPU time, and
of the whole script after Python started.
The whole-process time, interpreter start and imports included, is measured by the caller.
"""
import argparse
import json
import os
import sys
import tempfile
import time

started = time.perf_counter()

# One thread means one thread for the BLAS too: Debian's torch calls the system OpenBLAS, which
# torch.set_num_threads does not reach. These must be set before numpy and torch load it.
_threads = sys.argv[sys.argv.index("--threads") + 1] if "--threads" in sys.argv else "1"
for _name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_name] = _threads

import numpy as np
import pandas as pd
import torch

parser = argparse.ArgumentParser()
parser.add_argument("--csv", required=True)
parser.add_argument("--target", required=True)
parser.add_argument("--hidden", default="64,64")
parser.add_argument("--batch", type=int, default=128)
parser.add_argument("--epochs", type=int, default=5)
parser.add_argument("--lr", type=float, default=1e-3)
parser.add_argument("--threads", type=int, default=1)
parser.add_argument("--seed", type=int, default=42)
args = parser.parse_args()

torch.set_num_threads(args.threads)
torch.manual_seed(args.seed)

frame = pd.read_csv(args.csv)
y_all = frame.pop(args.target).to_numpy(dtype=np.float32)
x_all = frame.to_numpy(dtype=np.float32)
rows = len(frame)
order = np.random.default_rng(args.seed).permutation(rows)
n_test, n_val = round(rows * 0.15), round(rows * 0.15)
parts = {"test": order[:n_test], "validation": order[n_test:n_test + n_val], "train": order[n_test + n_val:]}
mean = x_all[parts["train"]].mean(axis=0)
std = x_all[parts["train"]].std(axis=0)
std[std == 0] = 1
x_all = (x_all - mean) / std
data = {k: (torch.from_numpy(x_all[idx]), torch.from_numpy(y_all[idx]).reshape(-1, 1)) for k, idx in parts.items()}
eval_rows = min(10_000, len(parts["train"]))
train_eval = (data["train"][0][:eval_rows], data["train"][1][:eval_rows])

layers = []
width = x_all.shape[1]
for units in [int(u) for u in args.hidden.split(",") if u]:
    layers += [torch.nn.Linear(width, units), torch.nn.ReLU()]
    width = units
model = torch.nn.Sequential(*layers, torch.nn.Linear(width, 1), torch.nn.Sigmoid())
opt = torch.optim.Adam(model.parameters(), lr=args.lr)
loss_fn = torch.nn.BCELoss()


def evaluate(x, y):
    """Loss, accuracy and ROC AUC (rank formula) of one split, in inference mode."""
    with torch.no_grad():
        p = model(x).reshape(-1)
        t = y.reshape(-1)
        loss = loss_fn(p, t).item()
        accuracy = ((p > 0.5).float() == t).float().mean().item()
        ranks = torch.empty_like(p)
        ranks[torch.argsort(p)] = torch.arange(1, len(p) + 1, dtype=p.dtype)
        positives = t.sum().item()
        negatives = len(t) - positives
        auc = (ranks[t == 1].sum().item() - positives * (positives + 1) / 2) / max(positives * negatives, 1)
    return {"loss": loss, "accuracy": accuracy, "auc": auc}


x_train, y_train = data["train"]
n_train = len(x_train)
epoch_seconds = []
epoch_cpu_seconds = []
for epoch in range(args.epochs):
    t0 = time.perf_counter()
    c0 = time.process_time()
    perm = torch.randperm(n_train)
    for i in range(0, n_train, args.batch):
        idx = perm[i:i + args.batch]
        opt.zero_grad()
        loss = loss_fn(model(x_train[idx]), y_train[idx])
        loss.backward()
        opt.step()
    epoch_seconds.append(time.perf_counter() - t0)
    epoch_cpu_seconds.append(time.process_time() - c0)
    history = {"train": evaluate(*train_eval), "validation": evaluate(*data["validation"])}

metrics = {k: evaluate(*v) for k, v in data.items()}
with tempfile.TemporaryDirectory() as out:
    torch.save(model.state_dict(), os.path.join(out, "model.pt"))
print(json.dumps({"epochSeconds": epoch_seconds, "epochCpuSeconds": epoch_cpu_seconds, "scriptSeconds": time.perf_counter() - started, "trainRows": n_train, "metrics": metrics}))
