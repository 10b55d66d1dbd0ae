"""The leaderboard's computations, without I/O or CLI: cells folded from
records (tally), the tables (table), intervals and paired tests (stats), the
N-way comparison (separate), model metadata (models), and the one wording of
the numbers (display). report, compare and the site import it; it imports
none of them."""

from .display import OVERALL, display, display_attempts, display_budget, number
from .models import Catalog, ModelInfo
from .separate import Separation
from .stats import METHOD
from .table import VERSUS_NOTE, WEIGHTING, attempt_table, budget_table, by_row, leaderboard
from .tally import GROUP, Cell, CellKey, PromptKind, Row, Tally, combine, row_key

__all__ = ["GROUP", "METHOD", "OVERALL", "VERSUS_NOTE", "WEIGHTING", "Catalog", "Cell", "CellKey", "ModelInfo",
           "PromptKind", "Row", "Separation", "Tally", "attempt_table", "budget_table", "by_row", "combine", "display",
           "display_attempts", "display_budget", "leaderboard", "number", "row_key"]
