"""Export a PyTorch model, some of its data and its checkpoints as a study Basin opens.

    import basin_export
    basin_export.export(model, loader, "out/", samples=2048, loss="cross_entropy",
                        checkpoints=["ckpt/epoch1.pt", "ckpt/epoch2.pt"])
    # then:  basin out/study.basin.json     or     basin-cli info --study out/study.basin.json

Writes out/model.pt (TorchScript, in eval mode: scripted, or traced when scripting fails or the
scripted code uses an operator LibTorch 1.13 lacks), out/data.npz (the inputs by name and the
targets) and out/study.basin.json. Needs only the standard library, torch and numpy; runs on
PyTorch 1.13 and 2.x. Run this file with --help for the command line.
"""
import contextlib
import inspect
import json
import math
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

TARGET_NAMES = ("labels", "label", "targets", "target", "y")
LOSSES = ("cross_entropy", "nll", "mse", "bce_with_logits")


def _forward_names(model):
    """forward()'s argument names, in order (without self)."""
    try:
        return [n for n, p in inspect.signature(model.forward).parameters.items()
                if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    except (TypeError, ValueError):
        return []


def _as_tensor(v):
    return v if isinstance(v, torch.Tensor) else torch.as_tensor(np.asarray(v))


def _split_batch(batch, model, target_key):
    """A batch as ({name: tensor} of inputs in forward() order, target tensor, target name)."""
    if isinstance(batch, dict):
        keys = [target_key] if target_key else [k for k in TARGET_NAMES if k in batch]
        if not keys or keys[0] not in batch:
            raise ValueError("the batch dict has no targets (keys %s); pass target_key=" % sorted(batch))
        tkey = keys[0]
        names = _forward_names(model)
        order = [n for n in names if n in batch and n != tkey]  # what forward() takes, in its order
        if not order:  # forward(*args, **kwargs): all of them, as given
            order = [k for k in batch if k != tkey]
        return {k: _as_tensor(batch[k]) for k in order}, _as_tensor(batch[tkey]), tkey
    if isinstance(batch, (tuple, list)) and len(batch) >= 2:
        *xs, y = batch
        names = [n for n in _forward_names(model)][:len(xs)]
        names += ["x%d" % i for i in range(len(names), len(xs))]
        if len(xs) == 1 and names[0] in ("x", "input", "inputs"):
            names = ["x"]
        return dict(zip(names, (_as_tensor(x) for x in xs))), _as_tensor(y), target_key or "y"
    raise ValueError("each batch must be a dict of tensors (inputs and targets) or a tuple (inputs..., targets)")


def collect(model, data, samples, target_key=None):
    """The first `samples` samples of `data`: a DataLoader (or any iterable of batches), a dict of
    tensors or arrays, or a tuple (inputs..., targets). Returns (inputs dict, targets, target name)."""
    if isinstance(data, dict) or (isinstance(data, tuple) and all(hasattr(t, "shape") for t in data)):
        batches = [data]
    else:
        batches = data
    xs, ys, tname, n = {}, [], None, 0
    for batch in batches:
        inputs, y, tname = _split_batch(batch, model, target_key)
        for k, v in inputs.items():
            xs.setdefault(k, []).append(v.detach().cpu())
        ys.append(y.detach().cpu())
        n += y.shape[0]
        if samples and n >= samples:
            break
    if not ys:
        raise ValueError("the data gave no batches")
    keep = samples if samples else n
    return ({k: torch.cat(v)[:keep] for k, v in xs.items()}, torch.cat(ys)[:keep], tname)


def select_output(out):
    """The tensor Basin uses: the output itself, a tuple's first tensor, a dict's "logits" (else its
    only tensor). HuggingFace ModelOutput objects are dicts."""
    if isinstance(out, torch.Tensor):
        return out
    if isinstance(out, dict):
        if isinstance(out.get("logits"), torch.Tensor):
            return out["logits"]
        tensors = [v for v in out.values() if isinstance(v, torch.Tensor)]
        if len(tensors) == 1:
            return tensors[0]
        raise ValueError("forward() returns a dict with no 'logits' and %d tensors" % len(tensors))
    if isinstance(out, (tuple, list)):
        for v in out:
            if isinstance(v, torch.Tensor):
                return v
    raise ValueError("forward() returns %s, not a tensor, tuple or dict" % type(out).__name__)


def loss_value(out, y, loss="cross_entropy", ignore_index=-100, class_axis=None):
    """The mean loss as Basin computes it (the same class-axis rule: see the README)."""
    if loss in ("cross_entropy", "nll"):
        fn = F.cross_entropy if loss == "cross_entropy" else F.nll_loss
        y = y.long()
        if out.dim() == 2 and y.dim() == 1:
            return fn(out, y, ignore_index=ignore_index)
        axis1 = tuple(out.shape[2:]) == tuple(y.shape[1:])
        last = tuple(out.shape[1:-1]) == tuple(y.shape[1:])
        if class_axis == -1 or (class_axis is None and last and not axis1):
            return fn(out.reshape(-1, out.shape[-1]), y.reshape(-1), ignore_index=ignore_index)
        return fn(out, y, ignore_index=ignore_index)
    if loss == "mse":
        return F.mse_loss(out, y.reshape(out.shape).to(out.dtype))
    if loss == "bce_with_logits":
        return F.binary_cross_entropy_with_logits(out, y.reshape(out.shape).to(out.dtype))
    raise ValueError("loss must be one of %s" % ", ".join(LOSSES))


def _math_sdpa(q, k, v, attn_mask=None, dropout_p=0.0, is_causal=False, scale=None, **_):
    """scaled_dot_product_attention in its explicit form, softmax(Q K^T / sqrt(d)) V, which
    LibTorch 1.13 runs (its fused operator came with PyTorch 2)."""
    s = q @ k.transpose(-2, -1) * (scale if scale is not None else 1.0 / math.sqrt(q.shape[-1]))
    if is_causal:
        L, S = q.shape[-2], k.shape[-2]
        s = s.masked_fill(torch.ones(L, S, dtype=torch.bool, device=q.device).triu(1), float("-inf"))
    if attn_mask is not None:
        s = s.masked_fill(~attn_mask, float("-inf")) if attn_mask.dtype == torch.bool else s + attn_mask
    return torch.softmax(s, -1) @ v


@contextlib.contextmanager
def _explicit_attention():
    """While tracing, F.scaled_dot_product_attention records the explicit operators instead."""
    original = getattr(F, "scaled_dot_product_attention", None)
    if original is None:
        yield
        return
    F.scaled_dot_product_attention = _math_sdpa
    try:
        yield
    finally:
        F.scaled_dot_product_attention = original


def _graph_text(ts):
    try:
        return str(ts.inlined_graph)
    except (AttributeError, RuntimeError):
        return str(ts.graph)


def _with_forward(model, names):
    """The model itself (same parameters, same names) with forward(<names>) calling the original
    forward by keyword, so tracing records exactly these inputs in this order."""
    if _forward_names(model)[:len(names)] == list(names):
        return model
    args = ", ".join(names)
    scope = {}
    exec("def forward(self, %s):\n    return type(self).__mro__[1].forward(self, %s)\n"
         % (args, ", ".join("%s=%s" % (n, n) for n in names)), scope)
    wrapped = type(model).__new__(type("Basin" + type(model).__name__, (type(model),), {"forward": scope["forward"]}))
    wrapped.__dict__ = model.__dict__
    return wrapped


def to_torchscript(model, example, names=None, log=print):
    """(TorchScript module, "script" | "trace"). Scripting keeps control flow; when it fails, or
    the scripted code calls aten::scaled_dot_product_attention, the model is traced on `example`
    (a tuple of input tensors, passed as forward()'s arguments `names`) with attention in its
    explicit form."""
    model.eval()
    names = list(names) if names else _forward_names(model)[:len(example)]
    with torch.no_grad():
        want = select_output(model(**dict(zip(names, example))) if names else model(*example))
    try:
        ts = torch.jit.script(model)
        if "scaled_dot_product_attention" in _graph_text(ts):
            raise RuntimeError("the scripted code calls aten::scaled_dot_product_attention, which LibTorch 1.13 lacks")
        how = "script"
    except Exception as e:  # scripting fails on much ordinary Python: trace instead
        log("basin_export: torch.jit.script failed (%s); tracing instead" % str(e).strip().splitlines()[0])
        with _explicit_attention(), torch.no_grad():
            ts = torch.jit.trace(_with_forward(model, names) if names else model, example, strict=False, check_trace=False)
        how = "trace"
    with torch.no_grad():
        got = select_output(ts(*example))
    if got.shape != want.shape or not torch.allclose(got, want, rtol=1e-4, atol=1e-5):
        raise RuntimeError("the exported model does not give the model's outputs on the example batch")
    return ts, how


def _checkpoint_entry(c, k, out_dir):
    """A path for the study: files are named where they are; state dicts and modules are saved."""
    if isinstance(c, (str, os.PathLike)):
        return os.path.abspath(c)
    sd = c.state_dict() if isinstance(c, torch.nn.Module) else c
    path = os.path.join(out_dir, "checkpoint_%d.pt" % k)
    torch.save(sd, path)
    return os.path.basename(path)


def export(model, loader_or_tensors, out_dir, samples=2048, loss="cross_entropy", checkpoints=(),
           target_key=None, name=None, dtype="float32", batch_size=256, ignore_index=-100, class_axis=None,
           log=print):
    """Writes model.pt, data.npz and study.basin.json into out_dir; returns a dict with their
    paths, "export" ("script" or "trace"), "inputs" (names in call order), "samples" and "loss"
    (PyTorch's mean loss on the exported samples at the model's weights, which Basin's
    `basin-cli info` gives too).

    loader_or_tensors: a DataLoader or any iterable of batches (dicts like {"input_ids",
    "attention_mask", "labels"}, or tuples (inputs..., targets)), a dict of tensors, or a tuple.
    checkpoints: paths of files saved with torch.save(model.state_dict()) (or dicts holding one,
    or TorchScript files), state dicts, or modules; in training order.
    """
    if loss not in LOSSES:
        raise ValueError("loss must be one of %s" % ", ".join(LOSSES))
    os.makedirs(out_dir, exist_ok=True)
    was_training = model.training
    model.eval()
    try:
        inputs, y, tname = collect(model, loader_or_tensors, samples, target_key)
        names = list(inputs)
        example = tuple(v[:min(8, len(y))] for v in inputs.values())
        ts, how = to_torchscript(model, example, names, log)
        model_path = os.path.join(out_dir, "model.pt")
        ts.save(model_path)
        arrays = {k: v.numpy() for k, v in inputs.items()}
        arrays[tname] = y.numpy()
        np.savez(os.path.join(out_dir, "data.npz"), **arrays)
        with torch.no_grad():
            total, n = 0.0, len(y)
            if loss in ("cross_entropy", "nll"):
                # One call over everything: the mean over the counted targets, as Basin takes it.
                outs = torch.cat([select_output(model(*(v[i:i + batch_size] for v in inputs.values())))
                                  for i in range(0, n, batch_size)])
                total = loss_value(outs, y, loss, ignore_index, class_axis).item()
            else:
                for i in range(0, n, batch_size):
                    part = tuple(v[i:i + batch_size] for v in inputs.values())
                    total += loss_value(select_output(model(*part)), y[i:i + batch_size], loss).item() * len(part[0]) / n
    finally:
        model.train(was_training)
    study = {
        "format": "basin-study", "version": 1,
        "name": name or type(model).__name__,
        "model": "model.pt",
        "checkpoints": [_checkpoint_entry(c, k, out_dir) for k, c in enumerate(checkpoints)],
        "data": {"inputs": "data.npz", "target_key": tname},
        "loss": loss, "samples": len(y), "batch_size": batch_size, "dtype": dtype,
        "ignore_index": ignore_index,
    }
    if class_axis is not None:
        study["class_axis"] = class_axis
    # Basin matches the arrays to the TorchScript forward()'s argument names; list them only when
    # they are not those names (inputs of a tuple batch), to be passed in this order.
    ts_names = [a.name for a in ts.forward.schema.arguments[1:]]
    if not set(names) <= set(ts_names):
        study["data"]["inputs_keys"] = names
    study_path = os.path.join(out_dir, "study.basin.json")
    with open(study_path, "w") as f:
        json.dump(study, f, indent=2)
    log("basin_export: %s (%s), %d samples, inputs %s, %s %.6g; open %s" %
        (model_path, how, len(y), ", ".join(names), loss, total, study_path))
    return {"model": model_path, "data": os.path.join(out_dir, "data.npz"), "study": study_path, "export": how,
            "inputs": names, "samples": len(y), "loss": total}


def main(argv):
    import argparse
    p = argparse.ArgumentParser(description="Export model + data as a Basin study. The model file may be a "
                                "torch.save(model) pickle; the data a .pt dict of tensors or a .npz.")
    p.add_argument("model", help="torch.save(model) file (its class must be importable)")
    p.add_argument("data", help=".npz or torch.save dict of tensors: the inputs by name and the targets")
    p.add_argument("out_dir")
    p.add_argument("--samples", type=int, default=2048)
    p.add_argument("--loss", default="cross_entropy", choices=LOSSES)
    p.add_argument("--checkpoints", nargs="*", default=[])
    p.add_argument("--target-key")
    a = p.parse_args(argv)
    model = torch.load(a.model, map_location="cpu")
    if a.data.endswith(".npz"):
        data = dict(np.load(a.data))
    else:
        data = torch.load(a.data, map_location="cpu")
    export(model, data, a.out_dir, a.samples, a.loss, a.checkpoints, a.target_key)


if __name__ == "__main__":
    main(sys.argv[1:])
