"""``xornet explain``: one step of backpropagation with every number written out."""

from typing import Annotated

import numpy as np
import typer

from xornet import load
from xornet.cli import app, flags, options, render, streams, wording
from xornet.core import numbers
from xornet.errors import XornetError
from xornet.explain.trace import explain_step
from xornet.io import csvdata

Opt = typer.Option

HELP = (
    "Show one step of backprop: forward pass, error, chain rule for every weight, update."
    "\n\n"
    "The network is MODEL, or the untrained network of --preset and the network flags (the "
    "default run's when none is given). --loss, --lr, --l2 and --l1 default to the ones "
    "MODEL was trained with, else to the preset's, else to the default run's. With "
    "--lr-schedule, --at-epoch N explains the step after N epochs at that epoch's learning "
    "rate, lr·schedule(N), taken from the network's weights as they are now (MODEL's "
    "weights, not those it had after N epochs). A cosine spreads over MODEL's training "
    "horizon (else --epochs) and stays at its end value past it."
)


@app.command(help=HELP)
@flags.run_flags(only=flags.STEP)
def explain(
    model: Annotated[str | None, typer.Argument(help="A model file or builtin:NAME.")] = None,
    run=None,
    input: Annotated[str | None, Opt("--input", help="One sample's inputs, e.g. 0,1.")] = None,
    target: Annotated[str | None, Opt(help="That sample's target(s), e.g. 1.")] = None,
    dataset: Annotated[str | None, Opt(help="Explain a whole dataset as one batch.")] = None,
    csv: Annotated[str | None, Opt(help="Explain a CSV file as one batch.")] = None,
    digits: Annotated[int, Opt(help="Significant digits shown.")] = 8,
    at_epoch: Annotated[int, Opt(help="The step after this many epochs of --lr-schedule (0: the first).")] = 0,  # noqa: E501
    json_out: Annotated[bool, Opt("--json", help="Print every number as one JSON document.")] = False,  # noqa: E501
):
    """One step of backprop with every number written out (see HELP)."""
    options.check_count("--digits", digits)
    options.check_count("--at-epoch", at_epoch, low=0)
    streams.check(reads=[("MODEL", model), ("--csv", csv)])
    net, cfg = _network(model, run)
    X, y = _data(net, input, target, dataset, csv)
    with wording.flags_in_errors("lr", "l2", "l1", "lr_schedule"):
        step = explain_step(net, X, y, loss=cfg.loss, lr=cfg.lr, update_order=cfg.update_order,
                            l2=cfg.l2, l1=cfg.l1, lr_schedule=cfg.lr_schedule,
                            epoch=at_epoch, epochs=cfg.epochs)
    note = _collapse_note(net)
    if note:
        step["collapse"] = note
    if json_out:
        render.print_json(step)
        return
    _print_step(render.console(), step, digits)


def _network(model, run):
    """(network, the RunConfig of its step) from a model file, or from a preset and flags,
    as `xornet train` builds them (flags.build_config); the flags --loss, --lr, --l2, --l1
    and --lr-schedule win over either."""
    if model is not None and run["preset"] is not None:
        raise XornetError("explain: give a model file or --preset, not both.")
    cfg = flags.build_config(**run)  # checks every flag; the default run fills the rest
    if model is None:
        return cfg.build(2, 1), cfg
    net = load(model)
    record = net.training  # how the model was trained, when its file says so
    known = {name: record.get(name, getattr(cfg, name))
             for name in ("loss", "lr", "l2", "l1", "lr_schedule")}
    # the horizon the schedule was spread over (a cosine's E); a file written before it was
    # recorded has only the epochs actually run
    if "lr_schedule" in record:
        known["epochs"] = record.get("schedule_epochs", record.get("epochs"))
    given = {name: getattr(cfg, name) for name in known if run[name] is not None}
    step = cfg.with_(**{**known, **given}, hidden=tuple(net.sizes[1:-1]))
    try:
        step.check()
    except XornetError as e:  # a hand-edited record: say where the bad value came from
        raise XornetError(f"{model}: the model's training record cannot be used "
                          f"({str(e).rstrip('.')}); give the value as a flag.") from None
    return net, step


def _parse_numbers(flag, text):
    values = []
    for part in text.split(","):
        v = numbers.to_float(part)  # ASCII digits, as every number xornet reads
        if v is None:
            raise XornetError(
                f"{flag}: {part.strip()!r} is not a number; write e.g. 0,1."
            )
        if not np.isfinite(v):
            raise XornetError(f"{flag}: {part.strip()!r} is not a finite number.")
        values.append(v)
    return np.array([values])


def _data(net, input, target, dataset, csv):
    if input is not None:
        if dataset is not None or csv is not None:
            raise XornetError("--input: give one sample (--input/--target) or a dataset, not both.")
        if target is None:
            raise XornetError("--target: give the target of the --input sample, e.g. --target 1.")
        X, y = _parse_numbers("--input", input), _parse_numbers("--target", target)
    elif target is not None:
        raise XornetError("--target: give --input too, e.g. --input 0,1 --target 1.")
    else:
        X, y, _ = options.load_data(dataset, csv, None, 3, 200, None, 0)
    csvdata.check_features(X, net.sizes[0], "the input" if input is not None else "the data")
    if y.shape[1] != net.sizes[-1]:
        raise XornetError(f"--target: the network has {net.sizes[-1]} outputs but "
                          f"{y.shape[1]} target values were given.")
    return X, y


def _collapse_note(net):
    try:
        from xornet.explain.collapse import collapse_sentence
    except ImportError:  # pragma: no cover - collapse ships with xornet
        return None
    return collapse_sentence(net)


# --- formatting ------------------------------------------------------------------------
say = render.print_hanging  # a long sum or product wraps under itself, never at column 0

def _print_step(con, step, digits):
    def f(v):
        return f"{v + 0.0:.{digits}g}"  # + 0.0: a zero is printed 0, never -0

    n = len(step["inputs"])
    for s in range(n):
        head = f"sample {s + 1} of {n}: " if n > 1 else ""
        con.print(f"\n[bold cyan]1. Forward pass[/bold cyan] — {head}x = "
                  f"{_vec(step['inputs'][s], f)}, target {_vec(step['targets'][s], f)}")
        for layer in step["forward"][s]:
            for u in layer["units"]:
                symbols = " + ".join(f"{t['input']}·{t['weight']}" for t in u["terms"])
                numbers = " + ".join(f"{f(t['x'])}·({f(t['w'])})" for t in u["terms"])
                say(con, f"  net_{u['name']} = {symbols}")
                say(con, f"  {' ' * len(u['name'])}     = {numbers} = [bold]{f(u['net'])}[/bold]")
                say(con, f"  {u['name']} = {u['activation']}(net_{u['name']}) = "
                          f"[bold]{f(u['out'])}[/bold]")
    _print_loss(con, step, f)
    _print_backward(con, step, f)
    _print_update(con, step, f)
    _print_matrix(con, step, f)
    if step["script"]:
        _print_script(con, step, f)
    if step.get("collapse"):
        con.print(f"\n[bold yellow]Note[/bold yellow]: {step['collapse']}")


def _vec(values, f):
    return "(" + ", ".join(f(v) for v in values) + ")"


def _print_loss(con, step, f):
    loss = step["loss"]
    con.print(f"\n[bold cyan]2. Error[/bold cyan] — {loss['name']}: {loss['formula']}")
    for s, e in enumerate(loss["per_sample"]):
        yh = _vec(step["outputs"][s], f)
        say(con, f"  sample {s + 1}: ŷ = {yh}, y = {_vec(step['targets'][s], f)}, "
                  f"its error = {f(e)}")
    if len(loss["per_sample"]) > 1:
        how = "sum" if loss["combine"] == "sum" else "mean"
        say(con, f"  E = {how} over the batch = [bold]{f(loss['value'])}[/bold]")
    else:
        say(con, f"  E = [bold]{f(loss['value'])}[/bold]")
    if step["l2"] or step["l1"]:
        say(con, f"  the penalty on the weights (not the biases): {_penalty_formula(step)} = "
                 f"{f(loss['penalty'])}")
        say(con, f"  E_total = E + penalty = [bold]{f(loss['total'])}[/bold] (what training "
                 "minimises)")


def _penalty_formula(step):
    """``(λ2/2)·Σw² + λ1·Σ|w| (λ2 = 0.5, λ1 = 0.1)``, each term only when it is used."""
    used = [(name, value, term) for name, value, term in
            (("λ2", step["l2"], "(λ2/2)·Σw²"), ("λ1", step["l1"], "λ1·Σ|w|")) if value]
    return (" + ".join(term for _, _, term in used) + " ("
            + ", ".join(f"{name} = {value:g}" for name, value, _ in used) + ")")


def _penalty_term(step):
    """The penalty's part of ∂E/∂w, as symbols: λ2·w, λ1·sign(w) or both."""
    return " + ".join((["λ2·w"] if step["l2"] else []) + (["λ1·sign(w)"] if step["l1"] else []))


def _print_backward(con, step, f):
    con.print("\n[bold cyan]3. Backward pass[/bold cyan] — the chain rule for every weight "
              "(w1, w2, …: per unit, bias first)")  # one line, even at 80 columns
    _print_sums(con, step, f)
    for p in step["parameters"]:
        first = p["samples"][0]["factors"]
        chain = " · ".join(fc["symbol"] for fc in first)
        say(con, f"  ∂E/∂{p['name']} ({p['matrix']}, {p['from']} → {p['to']}) = {chain}")
        many = len(p["samples"]) > 1
        for s, sample in enumerate(p["samples"]):
            values = " · ".join(f"({f(fc['value'])})" for fc in sample["factors"])
            if many:
                say(con, f"      sample {s + 1}: = {values} = {f(sample['product'])}")
            else:
                say(con, f"      = {values} = [bold]{f(sample['product'])}[/bold]")
        if many:
            how = "sum" if p["combine"] == "sum" else "mean"
            say(con, f"      {how} of the samples = [bold]{f(p['data_gradient'])}[/bold]")
        if (step["l2"] or step["l1"]) and p["is_weight"]:
            say(con, f"    ∂E_total/∂{p['name']} = ∂E/∂{p['name']} + {_penalty_term(step)} = "
                     f"({f(p['data_gradient'])}) + ({f(p['penalty'])}) = "
                     f"[bold]{f(p['gradient'])}[/bold]")


def _print_sums(con, step, f):
    """∂E/∂h of each hidden unit as the sum over the units it feeds, term by term (only
    where a unit feeds more than one: a single path is already written out in full)."""
    sums = step["sums"]
    if not any(len(u["terms"]) > 1 for layer in sums[0] for u in layer["units"]):
        return
    con.print("  ∂E/∂h sums over the units u that h feeds: δ_u·w each, δ_u = ∂E/∂net_u")
    for s, layers in enumerate(sums):
        if len(sums) > 1:
            con.print(f"    sample {s + 1}:")
        for layer in layers:
            for u in layer["units"]:
                name, terms = u["unit"], u["terms"]
                pad = " " * (len(name) + 5)  # under the "=" of "∂E/∂h1 ="
                con.print(f"    ∂E/∂{name} = " + " + ".join(
                    f"{t['delta']}·{t['weight']}" for t in terms)
                    + "  (" + ", ".join(t["matrix"] for t in terms) + ")")
                con.print(f"    {pad}= " + " + ".join(
                    f"({f(t['delta_value'])})·({f(t['w'])})" for t in terms))
                con.print(f"    {pad}= " + " + ".join(f"({f(t['product'])})" for t in terms)
                          + f" = [bold]{f(u['value'])}[/bold]")


def _print_update(con, step, f):
    from rich.table import Table

    lrs = step["layer_lrs"]
    per_layer = len(set(lrs)) > 1
    alpha = ", ".join(f"α{k} = {f(v)}" for k, v in enumerate(lrs, start=1)) if per_layer \
        else f"α = {f(lrs[0])}"
    table = Table(title=f"4. Update: w ← w − α·∂E/∂w with {alpha}", title_justify="left",
                  title_style="bold cyan")
    script = step["script"] is not None
    columns = ("weight", "matrix", "old", "∂E/∂w") + (("α",) if per_layer else ()) + \
        ("new",) + (("script order",) if script else ())
    for col in columns:
        table.add_column(col, justify="right")
    for p in step["parameters"]:
        lr = (f(p["lr"]),) if per_layer else ()
        extra = (f(p["script_new"]),) if script else ()
        table.add_row(p["name"], p["matrix"], f(p["old"]), f(p["gradient"]), *lr, f(p["new"]),
                      *extra)
    con.print()
    if not _schedule_is_constant(step):
        whose = "each layer's lr" if isinstance(step["lr"], list) else "lr"
        say(con, f"  the lr schedule {step['lr_schedule']} at epoch {step['epoch']}: {whose} "
                 f"× {f(step['lr_factor'])}")
    con.print(table)


def _schedule_is_constant(step):
    return step["lr_schedule"].strip().lower() == "constant"


def _print_script(con, step, f):
    """The step in the scripts' order: each layer moved before the delta goes down."""
    con.print("\n[bold cyan]6. The script order[/bold cyan] — each layer moves first, then "
              "the delta goes down through its new weights W′")
    for m in reversed(step["script"]):
        k = m["layer"]
        if k < len(step["script"]):
            con.print(f"  δ{k} = (δ{k + 1}·W{k + 1}′ᵀ) ⊙ f′(net{k}) = {_mat(m['delta'], f)}")
            con.print(f"  δ{k} − the textbook δ{k} = {_mat(m['delta_change'], f)}")
        con.print(f"  W{k}′ = W{k} − α·a{k - 1}ᵀ·δ{k} = {_mat(m['new_W'], f)}"
                  .replace("a0ᵀ", "xᵀ"))
    con.print(f"[yellow]{step['script_note']}[/yellow]")


def _shape(s):
    return "×".join(str(v) for v in s)


def _print_matrix(con, step, f):
    con.print("\n[bold cyan]5. Matrix form[/bold cyan]")
    L = len(step["matrix"])
    for m in reversed(step["matrix"]):
        k = m["layer"]
        if k == L:
            say(con, f"  δ{k} = ∂E/∂ŷ ⊙ f′(net{k})  ({_shape(m['delta_shape'])})")
        else:
            say(con, f"  δ{k} = (δ{k + 1}·W{k + 1}ᵀ) ⊙ f′(net{k})  ({_shape(m['delta_shape'])})")
        say(con, f"     = {_mat(m['delta'], f)}")
        a = "x" if k == 1 else f"a{k - 1}"
        say(con, f"  ∂E/∂W{k} = {a}ᵀ·δ{k}  ({_shape(m['input_shape'][::-1])})·"
                  f"({_shape(m['delta_shape'])}) → ({_shape(m['dW_shape'])})")
        say(con, f"     = {_mat(m['dW'], f)}")
        if step["l2"] or step["l1"]:
            term = _penalty_term(step).replace("w", f"W{k}")
            say(con, f"  ∂E_total/∂W{k} = ∂E/∂W{k} + {term} = {_mat(m['dW_total'], f)}")
        if m["db"] is not None:
            say(con, f"  ∂E/∂b{k} = Σ over samples of δ{k} = {_vec(m['db'], f)}")


def _mat(rows, f):
    return "[" + ", ".join(_vec(r, f).replace("(", "[").replace(")", "]") for r in rows) + "]"
