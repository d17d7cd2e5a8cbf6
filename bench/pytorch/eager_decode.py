"""The plain PyTorch eager decode loop that `r1actors-bench sampling --decode-only` is measured against.

A Qwen2-style decoder written as Hugging Face's modelling code writes it (RMSNorm, q/k/v with bias, rotate_half
RoPE, repeat_kv, eager softmax attention in float32, SwiGLU, tied lm_head), random weights, float32, with a
preallocated KV cache written in place (HF's StaticCache: `index_copy_` into a (B, kvH, max_len, D) tensor per
layer). Generation as HF's `generate(num_return_sequences=G, do_sample=True, temperature=1)`: the prompts are
repeated G times before the prefill, the head runs on the last position only, each step samples with
`torch.multinomial(softmax(logits / T))` over the whole vocabulary, no stop token (every row runs to the end).

The same workloads and timing as `bench sampling`: one warm-up call, then `repeats` calls timed together;
tokens/s = generated tokens / seconds, each call timed from the prompts to the last token (prefill included).

Not part of the build. Run it with Debian's PyTorch (1.13, OpenBLAS), two threads:

    apt-get install -y python3-torch libopenblas0-openmp
    /usr/bin/python3 bench/pytorch/eager_decode.py            # all three workloads
    /usr/bin/python3 bench/pytorch/eager_decode.py --workload qwen05b --threads 2
    /usr/bin/python3 bench/pytorch/eager_decode.py --bandwidth   # and the machine's memory read rate, GB/s

The last line printed is JSON: {"workload": tokens/s, ...}.
"""
import argparse
import json
import math
import time

import torch

# (vocab, hidden, intermediate, layers, heads, kv heads, qkv bias, rope theta)
SHAPES = {
    "qwen05b": (151936, 896, 4864, 24, 14, 2, True, 1_000_000.0),   # Qwen2.5-0.5B
    "tiny": (98, 128, 344, 3, 4, 4, False, 10_000.0),               # the demo's Llama-shaped character model
}

# name: (shape, prompts, samples per prompt, prompt length, new tokens, timed repeats) as bench sampling runs them
WORKLOADS = {
    "qwen05b": ("qwen05b", 2, 2, 32, 32, 2),
    "tiny256": ("tiny", 4, 2, 24, 256, 2),
    "demo": ("tiny", 32, 8, 24, 10, 3),
}


class Decoder:
    def __init__(self, shape, seed=1):
        vocab, hidden, inter, layers, heads, kv_heads, bias, theta = shape
        g = torch.Generator().manual_seed(seed)

        def w(*size):
            return torch.randn(*size, generator=g) * 0.02

        self.heads, self.kv_heads, self.head_dim = heads, kv_heads, hidden // heads
        self.embed = w(vocab, hidden)
        self.layers = []
        d = self.head_dim
        for _ in range(layers):
            self.layers.append(dict(
                ln1=torch.ones(hidden), ln2=torch.ones(hidden),
                q=w(heads * d, hidden), k=w(kv_heads * d, hidden), v=w(kv_heads * d, hidden), o=w(hidden, heads * d),
                qb=torch.zeros(heads * d) if bias else None, kb=torch.zeros(kv_heads * d) if bias else None,
                vb=torch.zeros(kv_heads * d) if bias else None,
                gate=w(inter, hidden), up=w(inter, hidden), down=w(hidden, inter)))
        self.norm = torch.ones(hidden)
        self.inv_freq = 1.0 / (theta ** (torch.arange(0, d, 2).float() / d))

    def allocate(self, rows, length):
        shape = (rows, self.kv_heads, length, self.head_dim)
        self.cache = [(torch.zeros(shape), torch.zeros(shape)) for _ in self.layers]

    @staticmethod
    def rms(x, weight, eps=1e-6):
        return weight * (x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps))

    @staticmethod
    def rotate_half(x):
        x1, x2 = x[..., : x.shape[-1] // 2], x[..., x.shape[-1] // 2:]
        return torch.cat((-x2, x1), dim=-1)

    def forward(self, ids, start):
        """ids (B, T) at cache slots start..start+T-1 → last position's logits (B, V)."""
        b, t = ids.shape
        positions = torch.arange(start, start + t)
        freqs = positions[:, None].float() * self.inv_freq[None, :]             # (T, D/2)
        emb = torch.cat((freqs, freqs), dim=-1)
        cos, sin = emb.cos()[None, None], emb.sin()[None, None]                  # (1, 1, T, D)
        end = start + t
        causal = torch.full((t, end), float("-inf")).triu(start + 1)            # (T, L)
        h = torch.nn.functional.embedding(ids, self.embed)                      # (B, T, H)
        groups = self.heads // self.kv_heads
        for layer, (k_cache, v_cache) in zip(self.layers, self.cache):
            x = self.rms(h, layer["ln1"])
            q = torch.nn.functional.linear(x, layer["q"], layer["qb"]).view(b, t, self.heads, -1).transpose(1, 2)
            k = torch.nn.functional.linear(x, layer["k"], layer["kb"]).view(b, t, self.kv_heads, -1).transpose(1, 2)
            v = torch.nn.functional.linear(x, layer["v"], layer["vb"]).view(b, t, self.kv_heads, -1).transpose(1, 2)
            q = q * cos + self.rotate_half(q) * sin
            k = k * cos + self.rotate_half(k) * sin
            k_cache.index_copy_(2, positions, k)                                # StaticCache.update
            v_cache.index_copy_(2, positions, v)
            keys = k_cache[:, :, :end].repeat_interleave(groups, dim=1)         # repeat_kv (B, nH, L, D)
            values = v_cache[:, :, :end].repeat_interleave(groups, dim=1)
            scores = q @ keys.transpose(2, 3) / math.sqrt(self.head_dim) + causal
            attn = torch.softmax(scores.float(), dim=-1) @ values               # (B, nH, T, D)
            h = h + torch.nn.functional.linear(attn.transpose(1, 2).reshape(b, t, -1), layer["o"])
            x = self.rms(h, layer["ln2"])
            mlp = torch.nn.functional.silu(torch.nn.functional.linear(x, layer["gate"])) * torch.nn.functional.linear(x, layer["up"])
            h = h + torch.nn.functional.linear(mlp, layer["down"])
        last = self.rms(h[:, -1], self.norm)                                     # (B, H)
        return torch.nn.functional.linear(last, self.embed)                     # (B, V)

    def generate(self, prompts, samples, new_tokens, temperature=1.0):
        ids = prompts.repeat_interleave(samples, dim=0)                          # (B·G, P) as generate() expands
        self.allocate(ids.shape[0], ids.shape[1] + new_tokens)
        logits = self.forward(ids, 0)
        out = []
        for step in range(new_tokens):
            probs = torch.softmax(logits / temperature, dim=-1)
            token = torch.multinomial(probs, 1)                                  # (B·G, 1)
            out.append(token)
            if step == new_tokens - 1:
                break
            logits = self.forward(token, ids.shape[1] + step)
        return torch.cat(out, 1)


def measure(name):
    shape, prompts, samples, prompt_length, new_tokens, repeats = WORKLOADS[name]
    model = Decoder(SHAPES[shape])
    vocab = SHAPES[shape][0]
    torch.manual_seed(1)
    with torch.inference_mode():
        model.generate(torch.randint(2, vocab, (prompts, prompt_length)), samples, new_tokens)
        tokens = 0
        clock = time.perf_counter()
        for _ in range(repeats):
            tokens += model.generate(torch.randint(2, vocab, (prompts, prompt_length)), samples, new_tokens).numel()
        seconds = time.perf_counter() - clock
    return tokens / seconds


def bandwidth():
    """GB/s of memory read: the best of 5 sums of a 512 MiB float32 array, and of copies of it (read + write)."""
    a = torch.randn(128 * 1024 * 1024)
    b = torch.empty_like(a).copy_(a)
    figures = {}
    for name, run, moved in [("sum", lambda: a.sum(), a.numel() * 4), ("copy", lambda: b.copy_(a), 2 * a.numel() * 4)]:
        best = float("inf")
        for _ in range(5):
            clock = time.perf_counter()
            run()
            best = min(best, time.perf_counter() - clock)
        figures[f"{name}_gb_per_s"] = round(moved / best / 1e9, 1)
    return figures


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--workload", choices=[*WORKLOADS, "all"], default="all")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--bandwidth", action="store_true", help="also measure memory bandwidth (sum and copy of 512 MiB)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    names = list(WORKLOADS) if args.workload == "all" else [args.workload]
    figures = bandwidth() if args.bandwidth else {}
    for name in names:
        figures[f"{name}_tokens_per_s"] = round(measure(name), 2)
        print(f"{name}: {figures[f'{name}_tokens_per_s']} tokens/s", flush=True)
    print(json.dumps({"torch": torch.__version__, "threads": torch.get_num_threads(), **figures}))


if __name__ == "__main__":
    main()
