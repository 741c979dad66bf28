"""The joint reader that bench/train_cross_encoder.py trains: a cross-encoder as a residual over cosine.

    score(q, s) = a * cosine(q, s) + b + w . meanpool(BERT([CLS] q [SEP] s [SEP]))

`cosine` is the packaged bi-encoder's (its question and sentence vectors, which the service already has
at answer time); `a`, `b` start from a logistic fit of the labels on it and `w` starts at zero, so the
untrained model ranks exactly as cosine does and training can only add what the joint encoding knows.
The body is all-MiniLM-L6-v2 itself (mean pooling, as it was trained; its [CLS] and BertPooler were never
trained for sentence meaning, and a fresh head on them starts below chance).

Saved as `joint_reader.pt` (state dict) + `joint_reader.json` (settings) + the tokenizer files in one
folder, outside the repo; bench/export_cross_encoder.py turns it into ONNX and int8.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import torch

WEIGHTS, META = "joint_reader.pt", "joint_reader.json"


class JointReader(torch.nn.Module):
    def __init__(self, body_dir: str, a: float = 10.0, b: float = -5.0, dropout: float = 0.1) -> None:
        super().__init__()
        from transformers import AutoModel

        self.body = AutoModel.from_pretrained(body_dir, add_pooling_layer=False)
        self.drop = torch.nn.Dropout(dropout)
        self.head = torch.nn.Linear(self.body.config.hidden_size, 1)
        torch.nn.init.zeros_(self.head.weight)
        torch.nn.init.zeros_(self.head.bias)
        self.a = torch.nn.Parameter(torch.tensor(float(a)))
        self.b = torch.nn.Parameter(torch.tensor(float(b)))

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor, token_type_ids: torch.Tensor,
                cosine: torch.Tensor) -> torch.Tensor:
        hidden = self.body(input_ids=input_ids, attention_mask=attention_mask,
                           token_type_ids=token_type_ids).last_hidden_state
        mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
        pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
        return self.a * cosine + self.b + self.head(self.drop(pooled)).squeeze(-1)

    def freeze_below(self, layer: int) -> None:
        """Train only encoder layers >= `layer` (and the head): cheaper backward passes."""
        for p in self.body.embeddings.parameters():
            p.requires_grad = False
        for i, block in enumerate(self.body.encoder.layer):
            for p in block.parameters():
                p.requires_grad = i >= layer

    def save(self, folder: Path, body_dir: str, meta: dict) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        torch.save(self.state_dict(), folder / WEIGHTS)
        self.body.config.save_pretrained(folder / "body")
        for name in ("tokenizer.json", "tokenizer_config.json", "vocab.txt", "special_tokens_map.json"):
            if (Path(body_dir) / name).is_file():
                shutil.copy(Path(body_dir) / name, folder / name)
        (folder / META).write_text(json.dumps(meta, indent=2), encoding="utf-8")


def load(folder: Path) -> tuple[JointReader, dict]:
    """A saved JointReader (eval mode) and its settings."""
    from transformers import AutoConfig, AutoModel

    meta = json.loads((folder / META).read_text(encoding="utf-8"))
    model = JointReader.__new__(JointReader)
    torch.nn.Module.__init__(model)
    model.body = AutoModel.from_config(AutoConfig.from_pretrained(folder / "body"), add_pooling_layer=False)
    model.drop = torch.nn.Dropout(0.0)
    model.head = torch.nn.Linear(model.body.config.hidden_size, 1)
    model.a, model.b = torch.nn.Parameter(torch.tensor(0.0)), torch.nn.Parameter(torch.tensor(0.0))
    model.load_state_dict(torch.load(folder / WEIGHTS, map_location="cpu"))
    return model.eval(), meta
