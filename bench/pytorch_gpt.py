#!/usr/bin/env python3
"""alpa4j's GPT in PyTorch eager, for throughput on the same GPU (or the same CPU cores), same config.

The same model as engine/.../model/Models.gpt: pre-LayerNorm blocks (eps 1e-5), causal multi-head
attention written out (scores, masked softmax, weighted sum; no key bias), a 4h MLP with tanh GELU,
learned position embedding, untied LM head, mean cross entropy, AdamW (betas 0.9/0.999, eps 1e-8,
no weight decay). Inputs are random tokens (throughput does not depend on them).

Prints one line per precision and attention variant:
    BENCH|pytorch|<fp32|tf32|bf16>|attention=<math|sdpa>|tokens_per_s=...|step_ms=...|first_loss=...|last_loss=...
fp32 turns TF32 off, tf32 turns it on for matmuls, bf16 runs forward and loss under
torch.autocast(bfloat16) with fp32 weights and optimizer (mixed precision, as alpa4j's bf16).
Step time is wall-clock per step with the loss read back (as alpa4j's), median of the timed steps.
With --device cpu it runs fp32 on the CPU with --threads intra-op threads (torch.set_num_threads),
for bench/cpu-vs-pytorch.sh.
"""
import argparse
import math
import statistics
import sys
import time

try:
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
except ImportError as e:  # the GPU check's dry run, or a machine without PyTorch: one line, exit 2
    print(f"pytorch_gpt.py: PyTorch is not installed ({e})", file=sys.stderr)
    sys.exit(2)


class Block(nn.Module):
    def __init__(self, h, heads, attention):
        super().__init__()
        self.heads = heads
        self.attention = attention
        self.ln1 = nn.LayerNorm(h, eps=1e-5)
        self.q = nn.Linear(h, h)
        self.k = nn.Linear(h, h, bias=False)
        self.v = nn.Linear(h, h)
        self.proj = nn.Linear(h, h)
        self.ln2 = nn.LayerNorm(h, eps=1e-5)
        self.fc = nn.Linear(h, 4 * h)
        self.out = nn.Linear(4 * h, h)

    def attend(self, x):
        b, s, h = x.shape
        hd = h // self.heads
        q, k, v = (t.view(b, s, self.heads, hd).transpose(1, 2) for t in (self.q(x), self.k(x), self.v(x)))
        if self.attention == "sdpa":
            ctx = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        else:
            scores = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(hd))
            mask = torch.ones(s, s, dtype=torch.bool, device=x.device).triu(1)
            probs = scores.masked_fill(mask, float("-inf")).softmax(dim=-1)
            ctx = probs @ v
        return self.proj(ctx.transpose(1, 2).reshape(b, s, h))

    def forward(self, x):
        x = x + self.attend(self.ln1(x))
        return x + self.out(F.gelu(self.fc(self.ln2(x)), approximate="tanh"))


class Gpt(nn.Module):
    def __init__(self, layers, heads, hidden, seq, vocab, attention):
        super().__init__()
        self.wte = nn.Embedding(vocab, hidden)
        self.wpe = nn.Parameter(torch.randn(seq, hidden) * 0.01)
        self.blocks = nn.ModuleList(Block(hidden, heads, attention) for _ in range(layers))
        self.ln_f = nn.LayerNorm(hidden, eps=1e-5)
        self.head = nn.Linear(hidden, vocab, bias=False)
        for name, p in self.named_parameters():
            if p.dim() == 2 and name != "wpe":
                nn.init.normal_(p, std=0.02)
            elif name.endswith(".bias"):
                nn.init.zeros_(p)

    def forward(self, tokens, targets):
        x = self.wte(tokens) + self.wpe
        for blk in self.blocks:
            x = blk(x)
        logits = self.head(self.ln_f(x))
        return F.cross_entropy(logits.float().view(-1, logits.size(-1)), targets.view(-1))


def run(args, precision, attention, device):
    torch.manual_seed(args.seed)
    torch.backends.cuda.matmul.allow_tf32 = precision == "tf32"
    torch.backends.cudnn.allow_tf32 = precision == "tf32"
    model = Gpt(args.layers, args.heads, args.hidden, args.seq, args.vocab, attention).to(device)
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0)
    gen = torch.Generator(device=device).manual_seed(args.seed)

    def batch():
        t = torch.randint(0, args.vocab, (args.batch, args.seq + 1), device=device, generator=gen)
        return t[:, :-1].contiguous(), t[:, 1:].contiguous()

    def step(tokens, targets):
        opt.zero_grad(set_to_none=True)
        with torch.autocast(device.type, dtype=torch.bfloat16, enabled=precision == "bf16"):
            loss = model(tokens, targets)
        loss.backward()
        opt.step()
        return loss.item()  # waits for the device, as alpa4j's step returns its loss

    first = step(*batch())
    for _ in range(args.warmup - 1):
        step(*batch())
    times = []
    last = first
    for _ in range(args.steps):
        tokens, targets = batch()
        if device.type == "cuda":
            torch.cuda.synchronize()
        t0 = time.perf_counter()
        last = step(tokens, targets)
        times.append((time.perf_counter() - t0) * 1e3)
    ms = statistics.median(times)
    tokens_per_s = args.batch * args.seq / (ms * 1e-3)
    print(f"BENCH|pytorch|{precision}|attention={attention}|tokens_per_s={tokens_per_s:.1f}|step_ms={ms:.2f}"
          f"|first_loss={first:.5f}|last_loss={last:.5f}", flush=True)
    del model, opt
    if device.type == "cuda":
        torch.cuda.empty_cache()


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--layers", type=int, default=12)
    p.add_argument("--heads", type=int, default=12)
    p.add_argument("--hidden", type=int, default=768)
    p.add_argument("--seq", type=int, default=1024)
    p.add_argument("--vocab", type=int, default=1024)
    p.add_argument("--batch", type=int, default=8)
    p.add_argument("--lr", type=float, default=3e-4)
    p.add_argument("--warmup", type=int, default=3)
    p.add_argument("--steps", type=int, default=10)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--precision", default="fp32,tf32,bf16")
    p.add_argument("--attention", default="math,sdpa", help="math (written out, as alpa4j), sdpa (fused), or both")
    p.add_argument("--device", default="cuda", choices=["cuda", "cpu"], help="where to run (default: cuda)")
    p.add_argument("--threads", type=int, default=0, help="CPU: intra-op threads (default: PyTorch's own choice)")
    args = p.parse_args()
    if args.device == "cpu":
        if args.threads > 0:
            torch.set_num_threads(args.threads)
        device = torch.device("cpu")
        print(f"# PyTorch {torch.__version__} on the CPU, {torch.get_num_threads()} threads", flush=True)
    elif not torch.cuda.is_available():
        print("pytorch_gpt.py: no CUDA device visible to PyTorch", file=sys.stderr)
        return 2
    else:
        device = torch.device("cuda")
        print(f"# PyTorch {torch.__version__} on {torch.cuda.get_device_name(device)}", flush=True)
    for attention in args.attention.split(","):
        for precision in args.precision.split(","):
            run(args, precision, attention, device)
    return 0


if __name__ == "__main__":
    sys.exit(main())
