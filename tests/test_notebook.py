"""docs/notebook.ipynb is executed from top to bottom with nbclient (a real Jupyter kernel)
and must produce what the lesson says: its figures as PNG pictures (no %matplotlib magic),
the lens reading XOR, a stuck run on the 3-of-4 plateau and the doctor's finding for it."""

import base64
from pathlib import Path

import nbformat
from nbclient import NotebookClient

NOTEBOOK = Path(__file__).resolve().parents[1] / "docs" / "notebook.ipynb"


def _outputs(cell):
    return cell.get("outputs", [])


def test_the_notebook_runs_and_shows_its_pictures(tmp_path):
    nb = nbformat.read(NOTEBOOK, as_version=4)
    NotebookClient(nb, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(o.get("output_type") != "error" for c in code for o in _outputs(c))
    pngs = [base64.b64decode(o["data"]["image/png"]) for c in code for o in _outputs(c)
            if "image/png" in o.get("data", {})]
    assert len(pngs) == 3  # two boundaries and the unit maps, each a real PNG
    assert all(p.startswith(b"\x89PNG\r\n\x1a\n") and len(p) > 10_000 for p in pngs)
    text = "\n".join(o.get("text", "") + o.get("data", {}).get("text/plain", "")
                     for c in code for o in _outputs(c))
    assert "= XOR" in text  # the lens' story
    assert "History(" in text and "stopped: solved and crisp" in text
    assert "plateau-3-of-4" in text  # the doctor names the broken run's failure
    assert "<Figure size" not in text  # figures show as pictures, not as their repr
