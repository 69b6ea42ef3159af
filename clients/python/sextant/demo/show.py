"""What the demo prints: step headers with the persona acting, indented lines, a trial progress bar."""

from __future__ import annotations

import sys
import textwrap

WIDTH = 100


class StepFailed(Exception):
    """A step did not behave as the demo describes; the message names what was seen instead."""


def header(number: int, persona: str, title: str) -> None:
    """``── Step 3 · data scientist ──── Train again without age``."""
    label = f"── Step {number} · {persona} "
    print()
    print(f"{label}{'─' * max(4, WIDTH - len(label) - len(title) - 2)} {title}", flush=True)


def say(text: str, indent: int = 2) -> None:
    """One statement, wrapped and indented."""
    prefix = " " * indent
    print(textwrap.fill(text, WIDTH, initial_indent=prefix, subsequent_indent=prefix + "  ",
                        break_on_hyphens=False, break_long_words=False), flush=True)


def bar(done: int, total: int, width: int = 24) -> str:
    """``[██████······]``."""
    filled = int(round(width * done / total)) if total else 0
    return "[" + "█" * filled + "·" * (width - filled) + "]"


class TrialProgress:
    """Trial progress from WatchTrainingJob events: redrawn in place on a terminal, one line per
    finished trial otherwise (a log file, a pipe)."""

    def __init__(self) -> None:
        self._live = sys.stdout.isatty()
        self._drawn = False

    def update(self, done: int, total: int, metric: str, best: float | None, note: str = "") -> None:
        """Show ``done`` of ``total`` trials and the best score so far."""
        best_text = f"best {metric} {best:.4f}" if best is not None else f"best {metric} —"
        line = f"  {bar(done, total)} {done}/{total} trials · {best_text}{' · ' + note if note else ''}"
        if self._live:
            sys.stdout.write("\r" + line.ljust(WIDTH))
            self._drawn = True
        else:
            print(line)
        sys.stdout.flush()

    def stage(self, done: int, total: int, metric: str, best: float | None, stage: str) -> None:
        """Show the job's new stage next to the bar; on a terminal only (a log gets the trial lines)."""
        if self._live:
            self.update(done, total, metric, best, stage)

    def close(self) -> None:
        """End the live line."""
        if self._drawn:
            sys.stdout.write("\n")
            sys.stdout.flush()
            self._drawn = False
