"""The colours of every picture and of the playground page: one palette for both.

The figures (``xornet.viz.style``) and the playground page (``xornet.playground``, which sends
``COLOURS`` to the page once, in its options) are independent rooms; both take their colours
from here, so a boundary in the README and one in the browser look the same.

The colours are chosen for readers with colour-vision deficiencies:

- the output map is ColorBrewer's RdBu diverging scheme (Brewer 2002), red = low = class
  "0", white = undecided, blue = high = class "1";
- weight signs use its two ends' darker steps, blue positive and red negative;
- unit curves and lines use the Okabe & Ito (2008) palette, distinguishable with every
  common colour-vision deficiency.

Plain data only (hex strings): nothing here imports matplotlib or a web framework.
"""

from typing import Any

# ColorBrewer RdBu, 11 classes, from the low end (red) to the high end (blue); the middle
# step is the near-white of an undecided output.
MAP = ("#67001f", "#b2182b", "#d6604d", "#f4a582", "#fddbc7", "#f7f7f7", "#d1e5f0",
       "#92c5de", "#4393c3", "#2166ac", "#053061")

COLOURS: dict[str, Any] = {  # each entry has its own shape (a colour, a tuple, dicts)
    "map": MAP,
    "negative": MAP[1],  # a negative weight, a unit that is off, class "0"
    "positive": MAP[-2],  # a positive weight, a unit that is on, class "1"
    "units": ("#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#0072B2", "#F0E442",
              "#000000"),  # Okabe & Ito: unit j is drawn in units[j % 8]
    # The two classes of a point cloud: a marker each as well as a colour, so a point reads
    # on any background (white ring, dark edge) and for any colour vision.
    "classes": ({"marker": "circle", "face": MAP[1], "label": "target 0"},
                {"marker": "square", "face": MAP[-2], "label": "target 1"}),
    "ring": "#ffffff",  # inside every data point's edge ...
    "edge": "#1f2933",  # ... and the edge itself: readable on red, blue and white alike
    # a loss curve on held-out rows beside the training loss (drawn in "positive"):
    # Okabe & Ito's orange, apart from the blue for any colour vision
    "test": "#E69F00",
    # The doctor's diagnoses (the failure mix of ``xornet inits``), in the doctor's order:
    # drawn beside curves in the Okabe & Ito colours, so taken from elsewhere, Paul Tol's
    # "muted" and "dark" schemes (and the orange of his "light" one), made for colour-blind
    # readers too (Tol 2021, "Colour Schemes", SRON/EPS/TN/09-002); grey for a failure no
    # check explains
    "diagnoses": {"diverged": "#882255", "linear-hidden": "#225555",
                  "symmetric-units": "#AA4499", "dead-relu": "#666633", "saturated": "#DDCC77",
                  "plateau-3-of-4": "#332288", "stuck-output": "#999933",
                  "still-learning": "#EE8866", "unexplained": "#B3B3B3"},
}
