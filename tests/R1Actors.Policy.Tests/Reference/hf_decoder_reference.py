"""Independent reference forward pass for R1Actors' decoder tests.

A plain numpy transcription of Hugging Face transformers' Qwen2 / Qwen3 / Llama modelling code
(modeling_qwen2.py, modeling_qwen3.py, modeling_llama.py, modeling_rope_utils.py), eager attention:

  * RMSNorm: x * rsqrt(mean(x^2) + eps) in float32, then * weight
  * RoPE: inv_freq = 1 / theta^(arange(0, D, 2) / D) (llama3 / linear rope_scaling applied to it),
    emb = cat(freqs, freqs), x * cos + rotate_half(x) * sin with rotate_half(x) = cat(-x2, x1)
  * positions = cumsum(mask) - 1, padding positions set to 1 (as generate() does)
  * GQA: repeat_kv = repeat_interleave of each kv head over num_attention_heads / num_key_value_heads
  * scores = q k^T * head_dim^-0.5 + mask (finfo.min where blocked), softmax in float32
  * qwen2: q/k/v bias, no o bias; qwen3: q_norm/k_norm per head before RoPE, attention_bias for q/k/v/o;
    llama: attention_bias for q/k/v/o, mlp_bias for the MLP
  * SwiGLU MLP: down(silu(gate(x)) * up(x)); lm_head, or embed_tokens when tie_word_embeddings

It reads config.json and model.safetensors with its own parser (no R1Actors code), so it also checks
that R1Actors writes files other tools can read.

usage: hf_decoder_reference.py MODEL_FOLDER INPUT_JSON OUTPUT_JSON
  INPUT_JSON: {"input_ids": [[...]], "attention_mask": [[...]]}; OUTPUT_JSON gets {"logits": [[[...]]]}.
"""
import json
import math
import struct
import sys

import numpy as np

DTYPES = {"F32": np.float32, "F64": np.float64, "I64": np.int64, "F16": np.float16}


def read_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    base = 8 + n
    tensors = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        begin, end = entry["data_offsets"]
        array = np.frombuffer(data[base + begin:base + end], dtype=DTYPES[entry["dtype"]])
        tensors[name] = array.reshape(entry["shape"]).astype(np.float32)
    return tensors


def inv_freq(config, head_dim):
    theta = np.float32(config.get("rope_theta", 10000.0))
    exponents = np.arange(0, head_dim, 2, dtype=np.int64).astype(np.float32) / np.float32(head_dim)
    freq = (np.float32(1.0) / np.power(theta, exponents)).astype(np.float32)
    scaling = config.get("rope_scaling")
    if not scaling:
        return freq
    kind = scaling.get("rope_type", scaling.get("type"))
    if kind == "linear":
        return (freq / np.float32(scaling["factor"])).astype(np.float32)
    if kind == "llama3":
        factor, low, high = scaling["factor"], scaling["low_freq_factor"], scaling["high_freq_factor"]
        old = scaling["original_max_position_embeddings"]
        wavelen = 2 * math.pi / freq
        scaled = np.where(wavelen > old / low, freq / factor, freq)
        smooth = (old / wavelen - low) / (high - low)
        smoothed = (1 - smooth) * scaled / factor + smooth * scaled
        medium = ~(wavelen < old / high) & ~(wavelen > old / low)
        return np.where(medium, smoothed, scaled).astype(np.float32)
    raise ValueError(kind)


def rms_norm(x, weight, eps):
    variance = np.mean(x.astype(np.float32) ** 2, axis=-1, keepdims=True)
    return weight * (x / np.sqrt(variance + np.float32(eps)))


def rotate_half(x):
    half = x.shape[-1] // 2
    return np.concatenate([-x[..., half:], x[..., :half]], axis=-1)


def linear(x, w, b=None):
    y = x @ w.T
    return y + b if b is not None else y


def forward(config, w, ids, mask):
    mt = config["model_type"]
    heads, kv_heads = config["num_attention_heads"], config.get("num_key_value_heads", config["num_attention_heads"])
    head_dim = config.get("head_dim") or config["hidden_size"] // heads
    eps = config["rms_norm_eps"]
    batch, seq = ids.shape
    positions = np.cumsum(mask, axis=-1) - 1
    positions = np.where(mask == 0, 1, positions)
    freqs = positions[:, :, None].astype(np.float32) * inv_freq(config, head_dim)[None, None, :]
    emb = np.concatenate([freqs, freqs], axis=-1)
    cos, sin = np.cos(emb)[:, None], np.sin(emb)[:, None]            # (B, 1, T, D)
    causal = np.tril(np.ones((seq, seq), dtype=bool))
    allowed = causal[None, None] & (mask[:, None, None, :] == 1)     # (B, 1, T, T)
    additive = np.where(allowed, 0.0, np.finfo(np.float32).min).astype(np.float32)
    h = w["model.embed_tokens.weight"][ids]
    for i in range(config["num_hidden_layers"]):
        p = f"model.layers.{i}."
        x = rms_norm(h, w[p + "input_layernorm.weight"], eps)
        q = linear(x, w[p + "self_attn.q_proj.weight"], w.get(p + "self_attn.q_proj.bias"))
        k = linear(x, w[p + "self_attn.k_proj.weight"], w.get(p + "self_attn.k_proj.bias"))
        v = linear(x, w[p + "self_attn.v_proj.weight"], w.get(p + "self_attn.v_proj.bias"))
        q = q.reshape(batch, seq, heads, head_dim)
        k = k.reshape(batch, seq, kv_heads, head_dim)
        if mt == "qwen3":
            q = rms_norm(q, w[p + "self_attn.q_norm.weight"], eps)
            k = rms_norm(k, w[p + "self_attn.k_norm.weight"], eps)
        q, k = q.transpose(0, 2, 1, 3), k.transpose(0, 2, 1, 3)
        v = v.reshape(batch, seq, kv_heads, head_dim).transpose(0, 2, 1, 3)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        k = np.repeat(k, heads // kv_heads, axis=1)
        v = np.repeat(v, heads // kv_heads, axis=1)
        scores = q @ k.transpose(0, 1, 3, 2) * np.float32(head_dim ** -0.5) + additive
        scores = scores - scores.max(axis=-1, keepdims=True)
        probs = np.exp(scores)
        probs = probs / probs.sum(axis=-1, keepdims=True)
        attended = (probs @ v).transpose(0, 2, 1, 3).reshape(batch, seq, heads * head_dim)
        h = h + linear(attended, w[p + "self_attn.o_proj.weight"], w.get(p + "self_attn.o_proj.bias"))
        x = rms_norm(h, w[p + "post_attention_layernorm.weight"], eps)
        gate = linear(x, w[p + "mlp.gate_proj.weight"], w.get(p + "mlp.gate_proj.bias"))
        up = linear(x, w[p + "mlp.up_proj.weight"], w.get(p + "mlp.up_proj.bias"))
        silu = gate / (1 + np.exp(-gate))
        h = h + linear(silu * up, w[p + "mlp.down_proj.weight"], w.get(p + "mlp.down_proj.bias"))
    h = rms_norm(h, w["model.norm.weight"], eps)
    head = w["model.embed_tokens.weight"] if config.get("tie_word_embeddings") else w["lm_head.weight"]
    return h @ head.T


def main():
    folder, input_path, output_path = sys.argv[1:4]
    with open(f"{folder}/config.json") as f:
        config = json.load(f)
    weights = read_safetensors(f"{folder}/model.safetensors")
    with open(input_path) as f:
        batch = json.load(f)
    ids = np.array(batch["input_ids"], dtype=np.int64)
    mask = np.array(batch["attention_mask"], dtype=np.int64)
    logits = forward(config, weights, ids, mask)
    with open(output_path, "w") as f:
        json.dump({"logits": logits.astype(np.float64).tolist()}, f)


if __name__ == "__main__":
    main()
