"""docs/model.md is generated from the model definition and must be up to date."""

from pathlib import Path

from memcompact.model.docs import model_markdown
from memcompact.model.parameters import PARAMETERS


def test_docs_model_is_current():
    path = Path(__file__).resolve().parents[2] / "docs" / "model.md"
    assert path.read_text(encoding="utf-8") == model_markdown(), "run: python -m memcompact.model.docs"
    text = model_markdown()
    assert all(f"`{p.name}`" in text for p in PARAMETERS)
