"""Boolean functions as truth tables: their rows, names and short expressions.

A truth table over k variables is a string of 2**k bits, one per row of :func:`all_rows`
(binary counting order, variable 0 the leftmost, most significant bit), e.g. "0111" is
A OR B. This module names such tables (the 16 two-input gates, AND/OR/XOR of many inputs)
and writes any small one as an expression over given operands, by Shannon expansion.

It knows nothing about networks: ``xornet.explain.logic`` reads a network's units as truth tables
and uses these functions to name them, so the boolean algebra lives apart from the lens.
"""

import numpy as np

# The 16 two-input functions by output column over the rows (0,0), (0,1), (1,0), (1,1), with
# A = x1 and B = x2: the standard name, and a template writing it over any two operands.
GATES = {
    "0000": ("FALSE", "FALSE"),
    "0001": ("AND", "{a} AND {b}"),
    "0010": ("A AND NOT B", "{a} AND NOT {b}"),
    "0011": ("A", "{a}"),
    "0100": ("NOT A AND B", "NOT {a} AND {b}"),
    "0101": ("B", "{b}"),
    "0110": ("XOR", "{a} XOR {b}"),
    "0111": ("OR", "{a} OR {b}"),
    "1000": ("NOR", "{a} NOR {b}"),
    "1001": ("XNOR", "{a} XNOR {b}"),
    "1010": ("NOT B", "NOT {b}"),
    "1011": ("A OR NOT B", "{a} OR NOT {b}"),
    "1100": ("NOT A", "NOT {a}"),
    "1101": ("NOT A OR B", "NOT {a} OR {b}"),
    "1110": ("NAND", "{a} NAND {b}"),
    "1111": ("TRUE", "TRUE"),
}


def all_rows(n):
    """Every row of n boolean inputs in binary counting order, shape (2**n, n), float64."""
    r = np.arange(2**n)[:, None]  # (2**n, 1)
    return ((r >> np.arange(n - 1, -1, -1)) & 1).astype(np.float64)


def input_names(n):
    """A, B for one or two inputs (A = x1, B = x2); x1 … xn for more."""
    return ["A", "B"][:n] if n <= 2 else [f"x{j + 1}" for j in range(n)]


def essential(table):
    """Indices of the variables a truth table really depends on (variable 0 = leftmost bit)."""
    k = len(table).bit_length() - 1
    return [i for i in range(k)
            if any(table[r] != table[r ^ (1 << (k - 1 - i))] for r in range(len(table)))]


def expression(table, operands):
    """Write a truth table over ``operands`` (texts, one per variable) as an expression.

    Functions of at most two of the variables use the templates of :data:`GATES`; AND, OR
    and XOR of three or more (and their negations) are written out; other functions of up
    to :data:`MAX_SPLIT` variables are split on one variable at a time (Shannon expansion),
    keeping the shortest text. Returns None when there is no short form, or when an operand
    the function needs is None.
    """
    text = _express(table, [None if o is None else _paren(o) for o in operands])
    # A function that copies one operand needs no parentheses around it.
    return next((o for o in operands if o is not None and text == _paren(o)), text)


MAX_SPLIT = 5  # the split tries every variable order: k! orders, ~4000 calls at k = 5


def _express(table, ops):
    used = essential(table)
    if any(ops[i] is None for i in used):
        return None
    for i in reversed(range(len(ops))):  # drop the variables the table ignores
        if i not in used:
            table = cofactors(table, i)[0]
    ops = [ops[i] for i in used]
    if len(ops) == 0:
        return "TRUE" if table == "1" else "FALSE"
    if len(ops) == 1:
        return ops[0] if table == "01" else f"NOT {ops[0]}"
    if len(ops) == 2:
        return GATES[table][1].format(a=ops[0], b=ops[1])
    ones = [bin(c).count("1") for c in range(len(table))]
    for word, test in (("AND", lambda c: c == len(ops)), ("OR", lambda c: c > 0),
                       ("XOR", lambda c: c % 2 == 1)):
        column = "".join("1" if test(c) else "0" for c in ones)
        if table in (column, _flip(column)):
            joined = f" {word} ".join(ops)
            return joined if table == column else f"NOT ({joined})"
    if len(ops) > MAX_SPLIT:
        return None
    texts = []
    for i, v in enumerate(ops):
        f0, f1 = cofactors(table, i)
        rest = ops[:i] + ops[i + 1:]
        texts.append(_split(v, f0, f1, _express(f0, rest), _express(f1, rest)))
    return min(texts, key=len)


def cofactors(table, i):
    """The table with variable i held at 0, and at 1 (tables over the other variables)."""
    k = len(table).bit_length() - 1
    bit = 1 << (k - 1 - i)
    f0 = "".join(c for r, c in enumerate(table) if not r & bit)
    f1 = "".join(c for r, c in enumerate(table) if r & bit)
    return f0, f1


def _split(v, f0, f1, e0, e1):
    """f = (v AND f1) OR (NOT v AND f0), in its shortest special form."""
    if set(f0) == {"0"}:
        return f"{v} AND {_paren(e1)}"
    if set(f1) == {"0"}:
        return f"NOT {v} AND {_paren(e0)}"
    if set(f1) == {"1"}:
        return f"{v} OR {_paren(e0)}"
    if set(f0) == {"1"}:
        return f"NOT {v} OR {_paren(e1)}"
    if f1 == _flip(f0):
        return f"{v} XOR {_paren(e0)}"
    return f"({v} AND {_paren(e1)}) OR (NOT {v} AND {_paren(e0)})"


def function_name(table):
    """The name of a truth table over the inputs: one of the 16 names for two inputs (XOR,
    A AND NOT B, …); otherwise its expression over x1 … xn, or the table itself."""
    if len(table) == 4:
        return GATES[table][0]
    n = len(table).bit_length() - 1
    return expression(table, input_names(n)) or table


def _paren(text):
    """Parenthesise a compound operand; "NOT A" needs none, NOT binds tightest."""
    if text is None or " " not in text or (text.startswith("NOT ") and " " not in text[4:]):
        return text
    return f"({text})"


def _flip(table):
    return table.translate(str.maketrans("01", "10"))
