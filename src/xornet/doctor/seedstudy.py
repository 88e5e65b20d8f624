"""Many seeds of one configuration: success rate, epochs to solve, failures diagnosed.

Each seed is trained with ``Network.fit`` until it is solved (or its epochs run out), and a
failed run is diagnosed by the doctor. ``xornet doctor`` prints the result when given seeds.
"""

import math
from collections import Counter
from dataclasses import asdict, dataclass

import numpy as np

from xornet.doctor.diagnose import run_and_diagnose
from xornet.errors import XornetError


@dataclass(frozen=True)
class SeedRun:
    """One seed's outcome."""

    seed: int
    solved: bool
    solved_epoch: int | None  # first epoch count at which every output was within tolerance
    epochs: int  # epochs run
    final_loss: float  # NaN when the run diverged
    codes: tuple  # the diagnoses' codes (empty for a solved run)


@dataclass(frozen=True)
class SeedStudy:
    """How a configuration fares over many seeds."""

    runs: tuple  # SeedRun per seed, in the order trained

    @property
    def n_solved(self):
        return sum(r.solved for r in self.runs)

    @property
    def success_rate(self):
        return self.n_solved / len(self.runs)

    @property
    def epochs_to_solve(self):
        """Epochs each solved run needed (a list to draw a histogram from)."""
        return [r.solved_epoch for r in self.runs if r.solved]

    def epochs_summary(self):
        """min, median, p90 (nearest rank: an epoch count some run needed) and max, or Nones."""
        v = sorted(self.epochs_to_solve)
        if not v:
            return {"min": None, "median": None, "p90": None, "max": None}
        return {"min": v[0], "median": float(np.median(v)),
                "p90": v[math.ceil(0.9 * len(v)) - 1], "max": v[-1]}

    @property
    def diagnosis_counts(self):
        """How many failed runs got each diagnosis, most common first."""
        return dict(Counter(c for r in self.runs if not r.solved for c in r.codes).most_common())

    @property
    def unexplained(self):
        """Failed runs that no check recognised."""
        return sum(1 for r in self.runs if not r.solved and not r.codes)

    def as_dict(self):
        return {"seeds": len(self.runs), "solved": self.n_solved,
                "success_rate": self.success_rate, "epochs_to_solve": self.epochs_summary(),
                "epochs_to_solve_values": self.epochs_to_solve,
                "diagnoses": self.diagnosis_counts, "unexplained": self.unexplained,
                "runs": [asdict(r) for r in self.runs]}


def seed_study(config, X, y, seeds, on_run=None):
    """Train ``config`` once per seed (``seeds``: a count N for 0..N-1, or a list of seeds).

    ``on_run(seed_run)`` is called after each run (for a progress bar). Returns a SeedStudy.
    """
    if isinstance(seeds, (int, np.integer)) and not isinstance(seeds, bool):
        if seeds < 1:
            raise XornetError(f"seeds: expected a whole number ≥ 1; received {seeds}.")
        seeds = range(int(seeds))
    runs = []
    for s in seeds:
        # stop at the first solved epoch: that is the epochs-to-solve, and the rest is wasted;
        # one attempt per seed, never restarted: a study counts how often a seed stalls
        run = config.with_(seed=int(s), stop_when_solved=True, until_crisp=False, restarts=0)
        net, history, found = run_and_diagnose(run, X, y)
        solved = net is not None and history.solved
        runs.append(SeedRun(int(s), solved, history.solved_epoch if solved else None,
                            history.epochs, history.final_loss if net is not None else math.nan,
                            tuple(d.code for d in found)))
        if on_run is not None:
            on_run(runs[-1])
    if not runs:
        raise XornetError("seeds: give at least one seed.")
    return SeedStudy(tuple(runs))
