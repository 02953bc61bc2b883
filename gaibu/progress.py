"""Rich progress display for crawls: one bar per property (pages done / known, errors)."""

from __future__ import annotations

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from gaibu.safe import markup_safe, printable
from scanner.observations import PageResult


class RichListener:
    """CrawlListener that draws a progress bar per property on stderr."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self.progress = Progress(
            TextColumn("[bold]{task.fields[prop]}"), BarColumn(), MofNCompleteColumn(),
            TextColumn("pages"), TextColumn("{task.fields[errors]}"), TimeElapsedColumn(),
            console=console, transient=False, disable=not console.is_terminal)
        self.tasks: dict[str, TaskID] = {}

    def __enter__(self) -> RichListener:
        self.progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.progress.stop()

    def property_started(self, prop: str, known: int) -> None:
        self.tasks[prop] = self.progress.add_task(prop, total=known, prop=markup_safe(prop),
                                                  errors="")

    def page_done(self, prop: str, page: PageResult, done: int, known: int, failed: int) -> None:
        tid = self.tasks.get(prop)
        if tid is not None:
            self.progress.update(tid, completed=done, total=known,
                                 errors=f"[red]{failed} errors" if failed else "")
        if not self.console.is_terminal and page.failed:
            self.console.print(printable(f"{prop}: {page.device} {page.url} failed: {page.error}"),
                               markup=False, highlight=False)

    def property_finished(self, prop: str, status: str) -> None:
        if not self.console.is_terminal:
            self.console.print(printable(f"{prop}: {status}"), markup=False, highlight=False)
