"""The README's main-job command, at a small size."""
import json
import os
import os.path as osp
import subprocess
import sys

import pytest

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


@pytest.mark.slow
def test_make_demo_runs_the_whole_pipeline(tmp_path):
    venv = osp.dirname(osp.dirname(sys.executable))
    if not osp.isfile(osp.join(venv, '.installed-stamp')):
        pytest.skip('needs the virtual environment that `make` installs')
    data, work = tmp_path / 'data', tmp_path / 'work'
    proc = subprocess.run(
        ['make', 'demo', f'VENV={venv}', f'DEMO_DATA={data}',
         f'DEMO_DIR={work}', 'DEMO_VIDEOS=16'],
        cwd=REPO, capture_output=True, text=True, timeout=1800,
        env=dict(os.environ))
    log = proc.stdout + proc.stderr
    assert proc.returncode == 0, log[-3000:]
    assert (data / 'annotations.json').is_file()
    summary = json.loads((work / 'summary.json').read_text())
    assert list(summary['rows']) == ['full', 'noisy', 'adaptfocus']
    for row in summary['rows'].values():
        assert osp.isfile(row['recognizer']['checkpoint'])
        assert osp.isfile(row['localizer']['checkpoint'])
        assert 0 <= row['recognizer']['metrics'][
            'acc/mean_average_precision'] <= 1
        assert 0 <= row['localizer']['metrics']['mAP_avg'] <= 1
    table = (work / 'summary.md').read_text()
    for name in ('Full (Clean)', 'Weak (Noisy)', 'Weak (AdaptFocus)'):
        assert f'| {name} |' in table
    assert 'recognition gap recovered' in table
    # The table and the time of each stage are printed at the end, and the
    # figures are written.
    assert '| Weak (AdaptFocus) |' in log
    assert 'recognizer_adaptfocus' in log and 'total wall time' in log
    figures = sorted(os.listdir(work / 'figures'))
    assert 'ratio_above_threshold.png' in figures
    assert 'top1_success_ratio.png' in figures
    assert sum(f.startswith('localization_') for f in figures) == 3
    assert sum(f.startswith('scores_') for f in figures) == 1
    for name in figures:
        assert (work / 'figures' / name).read_bytes()[:4] == b'\x89PNG'
