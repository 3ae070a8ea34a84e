"""Figures of recognition, localization and training, drawn with
matplotlib (Agg) from arrays: no model or file I/O here but ``savefig``."""
import json
from typing import Dict, List, Optional, Sequence, Tuple

import matplotlib

matplotlib.use('Agg')
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

Segments = Sequence[Tuple[float, float, int]]
COLOURS = ('tab:blue', 'tab:red', 'tab:green', 'tab:purple', 'tab:orange')


def _shade(ax, segments: Segments, label: int, text: str) -> None:
    """Grey spans over the ground-truth segments of ``label``."""
    first = True
    for start, end, k in segments:
        if k == label:
            ax.axvspan(
                start, end, color='0.85', lw=0, label=text if first else None)
            first = False


def _panels(labels: Sequence[int], height: float):
    """A figure with one panel per action, sharing the time axis."""
    return plt.subplots(
        len(labels), 1, figsize=(8, height * len(labels) + 0.6),
        sharex=True, squeeze=False)


def _finish(fig, axes, labels, class_names, ymax, legend_loc, ncol, title,
            out_file) -> str:
    for ax, label in zip(axes[:, 0], labels):
        ax.set_ylim(0, ymax)
        ax.set_ylabel(class_names[label], fontsize=8)
    axes[0, 0].legend(fontsize=7, loc=legend_loc, ncol=ncol)
    axes[-1, 0].set_xlabel('time (s)')
    fig.suptitle(title, fontsize=10)
    return _save(fig, out_file)


def _save(fig, out_file: str) -> str:
    fig.tight_layout()
    fig.savefig(out_file, dpi=110)
    plt.close(fig)
    return out_file


def plot_action_scores(out_file: str,
                       times: np.ndarray,
                       curves: Dict[str, np.ndarray],
                       segments: Segments,
                       labels: Sequence[int],
                       class_names: Sequence[str],
                       title: str = '') -> str:
    """Ground truth of each action of a video against the predicted score
    of that action over time, one panel per action (AdaptFocus Fig. 4).

    Args:
        out_file (str): PNG path.
        times (np.ndarray): (T, ) snippet centres in seconds.
        curves (dict[str, np.ndarray]): Name -> (T, C) scores in [0, 1],
            e.g. one per recognizer.
        segments (Sequence[tuple]): Ground truth (start, end, label).
        labels (Sequence[int]): The actions to draw.
        class_names (Sequence[str]): Names of all classes.
        title (str): Figure title.

    Returns:
        str: ``out_file``.
    """
    fig, axes = _panels(labels, 1.6)
    for ax, label in zip(axes[:, 0], labels):
        _shade(ax, segments, label, 'ground truth')
        for colour, (name, scores) in zip(COLOURS, curves.items()):
            ax.plot(times, scores[:, label], color=colour, lw=1.3, label=name)
    return _finish(fig, axes, labels, class_names, 1.02, 'upper right',
                   len(curves) + 1, title, out_file)


def _selection_note(label: int, video_scores: np.ndarray,
                    localized_classes: Optional[Sequence[int]],
                    class_threshold: Optional[float]) -> str:
    """``video score 0.14 < class threshold 0.20: not localized`` and the
    like, with as many decimals as tell the score from the threshold."""
    score = float(video_scores[label])
    if localized_classes is None or label in localized_classes:
        return f'video score {score:.2f}'
    if class_threshold is not None and score < class_threshold:
        digits = 2
        while digits < 6 and round(score, digits) == round(
                class_threshold, digits):
            digits += 1
        return (f'video score {score:.{digits}f} < class threshold '
                f'{class_threshold:.{digits}f}: not localized')
    return f'video score {score:.2f}: not localized'


def plot_localization(out_file: str,
                      times: np.ndarray,
                      tcas: np.ndarray,
                      segments: Segments,
                      detections: Sequence[Tuple[float, float, int, float]],
                      labels: Sequence[int],
                      class_names: Sequence[str],
                      attention: Optional[np.ndarray] = None,
                      title: str = '',
                      video_scores: Optional[np.ndarray] = None,
                      localized_classes: Optional[Sequence[int]] = None,
                      class_threshold: Optional[float] = None) -> str:
    """T-CAS (and attention) of a localization result with ground truth
    and detections, one panel per class in ``labels``.

    A localizer makes proposals only for the classes whose video score
    passes its class threshold; with ``video_scores``, each panel names the
    class's score and, for a class not in ``localized_classes``, says that
    it was not localized, so that a high T-CAS without a detection reads
    for what it is.

    Args:
        out_file (str): PNG path.
        times (np.ndarray): (T, ) snippet centres in seconds.
        tcas (np.ndarray): (T, C) class activation sequence.
        segments (Sequence[tuple]): Ground truth (start, end, label).
        detections (Sequence[tuple]): (start, end, label, score).
        labels (Sequence[int]): The actions to draw.
        class_names (Sequence[str]): Names of all classes.
        attention (np.ndarray, optional): (T, ) foreground attention.
        title (str): Figure title.
        video_scores (np.ndarray, optional): (C, ) video-level scores.
        localized_classes (Sequence[int], optional): The classes the
            localizer selected (with ``video_scores``).
        class_threshold (float, optional): Its class threshold.

    Returns:
        str: ``out_file``.
    """
    fig, axes = _panels(labels, 1.7)
    for ax, label in zip(axes[:, 0], labels):
        _shade(ax, segments, label, 'ground truth')
        ax.plot(times, tcas[:, label], color='tab:blue', lw=1.3, label='T-CAS')
        if attention is not None:
            ax.plot(times, attention, color='tab:green', lw=1, ls='--',
                    label='attention')
        mine = sorted((d for d in detections if int(d[2]) == label),
                      key=lambda d: -d[3])
        for i, (start, end, _, score) in enumerate(mine[:5]):
            y = 1.08 + 0.07 * i
            ax.plot([start, end], [y, y], color='tab:red', lw=3,
                    label='detections (top 5)' if i == 0 else None)
            ax.text(end, y, f' {score:.2f}', fontsize=6, va='center')
        if video_scores is not None:
            # above the panel, clear of the detection bars
            ax.set_title(
                _selection_note(label, video_scores, localized_classes,
                                class_threshold),
                loc='right', fontsize=7, pad=2)
    return _finish(fig, axes, labels, class_names, 1.45, 'upper left', 4,
                   title, out_file)


def plot_curves(out_file: str,
                series: Dict[str, Tuple[Sequence[float], Sequence[float]]],
                xlabel: str,
                ylabel: str,
                title: str = '',
                marker: Optional[str] = None,
                hline: Optional[Tuple[float, str]] = None) -> str:
    """Curves over training, one per run (e.g. the ratio of positive scores
    above their threshold, AdaptFocus Fig. 5; the top-1 success ratio,
    Fig. S4).

    Args:
        out_file (str): PNG path.
        series (dict): Run name -> (x values, y values).
        xlabel (str): x axis label.
        ylabel (str): y axis label.
        title (str): Figure title.
        marker (str, optional): Matplotlib marker for sparse curves.
        hline (tuple[float, str], optional): A reference level and its
            label (e.g. what random positions give).

    Returns:
        str: ``out_file``.
    """
    fig, ax = plt.subplots(figsize=(6, 3.4))
    for colour, (name, (x, y)) in zip(COLOURS, series.items()):
        ax.plot(x, y, color=colour, lw=1.3, marker=marker, label=name)
    if hline is not None:
        ax.axhline(hline[0], color='0.5', ls=':', label=hline[1])
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_ylim(0, 1.02)
    ax.legend(fontsize=8)
    ax.set_title(title, fontsize=10)
    return _save(fig, out_file)


def read_scalars(scalars_file: str, key: str,
                 x_key: str = 'step') -> Tuple[List[float], List[float]]:
    """(x, y) of ``key`` from an mmengine ``vis_data/scalars.json``."""
    xs, ys = [], []
    with open(scalars_file, encoding='utf-8') as f:
        for line in f:
            if not line.strip():
                continue
            row = json.loads(line)
            if key in row:
                xs.append(float(row.get(x_key, len(xs))))
                ys.append(float(row[key]))
    return xs, ys
