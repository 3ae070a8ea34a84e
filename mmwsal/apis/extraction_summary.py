"""What an extraction run reports: a progress line while it runs (rank 0)
and a summary over all ranks at the end."""
import sys
import time
from dataclasses import asdict, dataclass, field
from typing import Dict, List


@dataclass
class ExtractionSummary:
    """What a run did, over all ranks.

    Attributes:
        out_dir (str): The output directory.
        extracted (dict[int, list[str]]): Videos written, by rank.
        skipped (list[str]): Videos finished by an earlier run.
        failed (dict[str, str]): Unreadable videos and why; not written.
        num_snippets (int): Snippets extracted in this run.
        seconds (float): Wall time of the run.
        decode_seconds (float): Time decoding and resizing, summed over
            ranks.
        model_seconds (float): Time in the model, summed over ranks.
    """
    out_dir: str
    extracted: Dict[int, List[str]] = field(default_factory=dict)
    skipped: List[str] = field(default_factory=list)
    failed: Dict[str, str] = field(default_factory=dict)
    num_snippets: int = 0
    seconds: float = 0.
    decode_seconds: float = 0.
    model_seconds: float = 0.

    @property
    def ok(self) -> bool:
        """Whether every video has its features."""
        return not self.failed

    def to_dict(self) -> Dict:
        return asdict(self)

    def format(self) -> str:
        """A few lines for the end of a run."""
        num = sum(len(v) for v in self.extracted.values())
        lines = [
            f'extracted {num} videos ({self.num_snippets} snippets) in '
            f'{self.seconds:.1f} s, skipped {len(self.skipped)} finished '
            f'before, failed {len(self.failed)}; features in {self.out_dir}'
        ]
        if self.decode_seconds + self.model_seconds > 0:
            lines.append(f'time decoding {self.decode_seconds:.1f} s, in the '
                         f'model {self.model_seconds:.1f} s (all ranks)')
        for video_id, reason in sorted(self.failed.items()):
            lines.append(f'FAILED {video_id}: {reason}')
        return '\n'.join(lines)


class ExtractionProgress:
    """Videos/s, snippets/s and ETA on one line (rank 0 only).

    On a terminal the line is redrawn after every video; in a log file a
    line is written every ``interval`` seconds and at the end.
    """

    def __init__(self,
                 total: int,
                 enabled: bool = True,
                 stream=None,
                 interval: float = 10.) -> None:
        self.total = total
        self.enabled = enabled and total > 0
        self.stream = stream or sys.stderr
        self.interval = interval
        self.tty = getattr(self.stream, 'isatty', lambda: False)()
        self.videos = self.snippets = 0
        self.start = self.last_shown = time.perf_counter()

    def update(self, num_snippets: int) -> None:
        self.videos += 1
        self.snippets += num_snippets
        now = time.perf_counter()
        if not self.enabled:
            return
        if (self.tty or self.videos == self.total
                or now - self.last_shown >= self.interval):
            self.last_shown = now
            end = '\n' if self.videos == self.total or not self.tty else ''
            self.stream.write(('\r' if self.tty else '') + self.line(now) +
                              end)
            self.stream.flush()

    def line(self, now: float) -> str:
        elapsed = max(now - self.start, 1e-9)
        rate = self.videos / elapsed
        eta = (self.total - self.videos) / rate if rate > 0 else 0
        return (f'[{self.videos}/{self.total}] {rate:.2f} videos/s, '
                f'{self.snippets / elapsed:.1f} snippets/s, elapsed '
                f'{_clock(elapsed)}, ETA {_clock(eta)}')


def _clock(seconds: float) -> str:
    seconds = int(round(seconds))
    return f'{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}'
