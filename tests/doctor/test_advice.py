"""Advice as data: each diagnosis carries its fix as settings to change, and each edge writes
them in its own words (flags on the command line, the controls' labels on the page).

Oracles: the change applied with ``RunConfig.with_`` sets exactly the field it names; the
flags the command line writes, typed back into ``xornet train``, set the same field; the
page's words are the labels in static/index.html, and the page's "apply" fields, parsed by
the playground's own ``spec.parse``, set the same field.
"""

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from typer.testing import CliRunner

import xornet
from xornet.cli import app, wording
from xornet.doctor.diagnose import run_and_diagnose
from xornet.errors import XornetError
from xornet.explain import logic, story
from xornet.io import datasets
from xornet.playground import insights, spec
from xornet.population import sweep
from xornet.train import presets
from xornet.train.config import RunConfig

INDEX = Path(insights.__file__).parent / "static" / "index.html"
DEFAULT = presets.get("default")
# Runs that fail in known ways (see test_doctor.py), so every kind of advice is given.
FAILING = {
    "zeros": DEFAULT.with_(init="zeros", hidden=(3,), epochs=50),
    "diverged": presets.get("classic-linear-out").with_(lr=10.0),
    "still-learning": presets.get("wide").with_(epochs=8),
    "linear": DEFAULT.with_(hidden=(2,), activation="linear", epochs=300),
    "no-hidden": DEFAULT.with_(hidden=(), epochs=300),
    "plateau": RunConfig(hidden=(2,), activation="sigmoid", init="uniform01", loss="mse",
                         optimizer="sgd", momentum=0.0, lr=2.0, epochs=3000, seed=3,
                         stop_when_solved=False),
}


def diagnoses(name):
    X, y = datasets.load("xor")
    return run_and_diagnose(FAILING[name], X, y)[2]


@pytest.fixture(scope="module")
def every_diagnosis():
    found = [d for name in FAILING for d in diagnoses(name)]
    assert {d.code for d in found} >= {"symmetric-units", "diverged", "still-learning",
                                       "linear-hidden", "stuck-output", "plateau-3-of-4"}
    return found


def test_every_change_sets_the_field_it_names(every_diagnosis):
    for d in every_diagnosis:
        assert d.changes, d.code  # each of these runs has a fix to try
        for change in d.changes:
            cfg = FAILING["zeros"].with_(**change)
            for field, value in change.items():
                assert getattr(cfg, field) == value
            cfg.build(2, 1)  # a setting the network accepts
            cfg.check()


def test_the_suggestion_names_settings_without_flags(every_diagnosis):
    for d in every_diagnosis:
        assert "--" not in d.suggestion and d.suggestion.endswith(".")
        for change in d.changes:  # the library writes each change as Python keywords
            assert wording_python(change) in d.suggestion
        json.dumps(d.as_dict())  # plain JSON, with the old fields and the changes
        assert list(d.as_dict()) == ["code", "sentence", "suggestion", "evidence", "changes"]


def wording_python(change):
    return ", ".join(f"{k}={v!r}" for k, v in change.items())


def test_a_tenth_of_the_learning_rate_is_written_and_applied_the_same():
    d = next(d for d in diagnoses("diverged") if d.code == "diverged")
    assert d.changes == ({"lr": 1.0},)  # a tenth of 10
    assert "(--lr 1, a tenth of 10)" in wording.advice(d)


# --- the command line: flags ---------------------------------------------------------------
@pytest.mark.parametrize(("change", "flags"), [
    ({"lr": 0.05}, "--lr 0.05"),
    ({"init": "xavier"}, "--init xavier"),
    ({"seed": 1}, "--seed 1"),
    ({"hidden": (4, 4)}, "--hidden 4,4"),
    ({"hidden": ()}, "--hidden none"),
    ({"hidden": (2,), "activation": "tanh"}, "--hidden 2 --activation tanh"),
    ({"epochs": 50000}, "--epochs 50000"),
    ({"batch_size": None}, "--batch-size full"),
    ({"stop_when_solved": False}, "--no-early-stop"),
    ({"bias": False}, "--no-bias"),
])
def test_the_cli_writes_a_change_as_flags_that_set_it(change, flags):
    assert wording.as_flags(change) == flags
    # oracle: the flags typed into `xornet train` give a config with that field
    result = CliRunner().invoke(app, ["train", "--json", "--epochs", "1", *flags.split()])
    assert result.exit_code == 0, result.output
    config = json.loads(result.stdout)["config"]
    for field, value in change.items():
        if field != "epochs":  # typed after --epochs 1, it wins
            assert config[field] == (list(value) if isinstance(value, tuple) else value)
        else:
            assert config[field] == value


def test_the_doctor_command_prints_the_fix_as_flags():
    result = CliRunner().invoke(app, ["doctor", "--init", "zeros", "--hidden", "2"])
    assert result.exit_code == 0
    assert "→ Start from random weights (--init xavier)" in result.stdout
    doc = json.loads(CliRunner().invoke(app, ["doctor", "--init", "zeros", "--hidden", "2",
                                              "--json"]).stdout)
    d = next(d for d in doc["diagnoses"] if d["code"] == "symmetric-units")
    assert d["changes"] == [{"init": "xavier"}] and "(--init xavier)" in d["suggestion"]


def test_a_leading_field_name_becomes_the_flag_only_for_the_fields_listed():
    assert wording.with_flag("batch_size: 0 is not a batch size.", ["batch_size"]) == \
        "--batch-size: 0 is not a batch size."
    assert wording.with_flag("model: no hidden layer.", ["batch_size"]) == \
        "model: no hidden layer."
    with pytest.raises(XornetError, match=r"^--lr: "), wording.flags_in_errors("lr"):
        sweep.make_grid(DEFAULT, lr=["fast"])


def test_sweep_errors_name_the_field_in_the_library_and_the_flag_on_the_command_line():
    with pytest.raises(XornetError, match=r"^lr: 'fast' is not a learning rate"):
        sweep.make_grid(DEFAULT, lr=["fast"])
    with pytest.raises(XornetError, match="allow_large=True"):
        sweep.check_size({"hidden": 1000, "lr": 1001})
    thousand = ",".join(str(k) for k in range(1, 1002))
    result = CliRunner().invoke(app, ["sweep", "--hidden", thousand, "--lr", thousand])
    assert result.exit_code == 2 and "pass --yes to run it anyway" in result.stderr
    result = CliRunner().invoke(app, ["sweep", "--seeds", "2", "--batch-size", "0"])
    assert result.exit_code == 2 and "error: --batch-size: 0 is not a batch size" in result.stderr


# --- the playground: its controls' labels ------------------------------------------------
class _Labels(HTMLParser):
    """Each <label>'s own text by the id of the input or select inside it."""

    def __init__(self):
        super().__init__()
        self.labels, self.text, self.ids, self.depth = {}, "", [], 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "label":
            self.depth, self.text, self.ids = 1, "", []
        elif self.depth and tag in ("input", "select") and "id" in attrs:
            self.ids.append(attrs["id"])
            self.depth += tag == "select"  # an <option>'s text is not the label's

    def handle_endtag(self, tag):
        if tag == "select" and self.depth > 1:
            self.depth -= 1
        elif tag == "label" and self.depth:
            self.labels.update((i, self.text) for i in self.ids)
            self.depth = 0

    def handle_data(self, data):
        if self.depth == 1:
            self.text += data


def page_labels():
    parser = _Labels()
    parser.feed(INDEX.read_text(encoding="utf-8"))
    return {k: " ".join(v.split()) for k, v in parser.labels.items()}


def test_the_page_names_each_setting_by_its_control_label():
    labels = page_labels()
    assert labels["lr"] == "learning rate"  # the parser reads the page as a person does
    for field, label in insights.LABELS.items():
        assert labels[field] == label, field
    assert insights.in_controls({"lr": 0.05}) == f"{labels['lr']} 0.05"
    assert insights.in_controls({"init": "xavier"}) == f"{labels['init']} xavier"
    assert insights.in_controls({"seed": 1}) == f"{labels['seed']} 1"


def test_the_pages_apply_fields_set_the_setting(every_diagnosis):
    run = spec.DEFAULT.run
    for d in every_diagnosis:
        for change in d.changes:
            fields = insights.page_fields(change, run)
            if "epochs" in change:
                assert fields is None  # the page has no epoch limit to set
                continue
            applied = spec.parse({**spec.DEFAULT.as_dict(), **fields}).run  # the page's parser
            for field, value in change.items():
                if field == "activation":
                    assert set(spec._hidden_activations(applied)) == {value}
                else:
                    assert getattr(applied, field) == value


def test_the_page_writes_the_fix_in_its_words():
    d = next(d for d in diagnoses("zeros") if d.code == "symmetric-units")
    doc = insights.diagnosis_json(d, spec.DEFAULT.run)
    assert doc["suggestion"] == ("Start from random weights (init xavier) so the units differ "
                                 "from the first step.")
    assert doc["apply"] == [{"label": "init xavier", "config": {"init": "xavier"}}]


# --- the lens's sentences, told once ------------------------------------------------------
def test_the_cli_and_the_page_tell_the_same_lens_story():
    net = xornet.load("builtin:xor-or-nand")
    told = story.sentences(logic.lens(net))
    X, y = datasets.load("xor")
    assert insights.lens_panel(net, X, y)["sentences"] == [s.text for s in told]
    out = CliRunner().invoke(app, ["logic", "builtin:xor-or-nand"]).stdout
    printed = [s.text for s in told if s.kind != story.UNIT]
    assert printed and all(text in out for text in printed)
    assert told[-1].kind == story.AGREES and told[-1].text == (
        "The reading agrees: thresholded, ŷ is XOR on every input row.")
    # the first-layer units, which the page lists and the unit table names
    assert [s.text for s in told if s.kind == story.UNIT] == [
        f"{u.name} ≈ {u.function}" for u in logic.lens(net).layers[0]]
    assert re.search(r"h1\s*│\s*OR", out)  # the table the command line shows instead
