"""The README's main-job command, at a small size."""
import os
import os.path as osp
import re
import subprocess
import sys

import pytest

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


@pytest.mark.slow
def test_make_demo_trains_and_evaluates(tmp_path):
    venv = osp.dirname(osp.dirname(sys.executable))
    if not osp.isfile(osp.join(venv, '.installed-stamp')):
        pytest.skip('needs the virtual environment that `make` installs')
    data, work = tmp_path / 'data', tmp_path / 'work'
    proc = subprocess.run(
        ['make', 'demo', f'VENV={venv}', f'DEMO_DATA={data}',
         f'DEMO_DIR={work}', 'DEMO_VIDEOS=16'],
        cwd=REPO, capture_output=True, text=True, timeout=1200,
        env=dict(os.environ))
    log = proc.stdout + proc.stderr
    assert proc.returncode == 0, log[-3000:]
    assert (data / 'annotations.json').is_file()
    checkpoint = (work / 'last_checkpoint').read_text().strip()
    assert checkpoint.endswith('epoch_30.pth') and osp.isfile(checkpoint)
    test_line = re.findall(
        r'Epoch\(test\).*acc/mean_average_precision: ([0-9.]+)', log)
    assert test_line and 0.0 <= float(test_line[-1]) <= 1.0
