"""PyTorch reference for bench/train-speed.ts: the same MLP, data and batch size; prints s/epoch."""
import sys, time
import numpy as np
import torch

folder, rows, features, batch, epochs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
x = torch.from_numpy(np.fromfile(f"{folder}/x.bin", dtype=np.float32).reshape(rows, features))
y = torch.from_numpy(np.fromfile(f"{folder}/y.bin", dtype=np.float32).reshape(rows, 1))
torch.manual_seed(1)
model = torch.nn.Sequential(torch.nn.Linear(features, 64), torch.nn.ReLU(), torch.nn.Linear(64, 64), torch.nn.ReLU(), torch.nn.Linear(64, 1), torch.nn.Sigmoid())
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
loss_fn = torch.nn.BCELoss()

def epoch():
    perm = torch.randperm(rows)
    for i in range(0, rows, batch):
        idx = perm[i:i + batch]
        opt.zero_grad()
        loss = loss_fn(model(x[idx]), y[idx])
        loss.backward()
        opt.step()

epoch()
best = float("inf")
for _ in range(epochs):  # the fastest of `epochs` timed epochs, as the JS side does
    start = time.perf_counter()
    epoch()
    best = min(best, time.perf_counter() - start)
print(best)
