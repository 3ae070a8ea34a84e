import copy
import os
import os.path as osp
import re
import subprocess
import sys

import torch
from mmengine.config import Config
from mmengine.hooks import Hook
from mmengine.runner import Runner

from tests.conftest import DEMO_CONFIG, tiny_train_options
from tests.dist_utils import free_port

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def as_cli(options):
    return ['--cfg-options'] + [f'{k}={v}' for k, v in options.items()]


def run_tool(args, **env):
    env = dict(os.environ, PYTHON=sys.executable, PORT=str(free_port()),
               OMP_NUM_THREADS='1', **env)
    proc = subprocess.run(
        args, cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    log = proc.stdout + proc.stderr
    assert proc.returncode == 0, log[-3000:]
    return log


def logged_mean_ap(log):
    found = re.findall(r'acc/mean_average_precision: ([0-9.]+)', log)
    assert found, log[-3000:]
    return float(found[-1])


def test_dist_train_and_test_two_processes_on_cpu(tiny_synthetic, tmp_path):
    ann_file, root = tiny_synthetic
    work_dir = tmp_path / 'work'
    options = as_cli(tiny_train_options(ann_file, root))
    log = run_tool(['bash', 'tools/dist_train.sh', DEMO_CONFIG, '2',
                    '--work-dir', str(work_dir)] + options)
    assert 'gloo process group (rank 0 of 2)' in log
    assert (work_dir / 'epoch_2.pth').is_file()
    assert 'acc/mean_average_precision' in log
    # 6 training videos, 2 ranks, batch 2: the sampler gives each rank 3
    # videos, so an epoch is 2 iterations, not the 3 of one process.
    assert 'Epoch(train) [2][2/2]' in log

    # Two-process testing gathers both ranks' results: the same mAP as one
    # process on the same checkpoint.
    ckpt = str(work_dir / 'epoch_2.pth')
    dist_log = run_tool(['bash', 'tools/dist_test.sh', DEMO_CONFIG, ckpt, '2',
                         '--work-dir', str(tmp_path / 'dist_test')] + options)
    single_log = run_tool([sys.executable, 'tools/test.py', DEMO_CONFIG, ckpt,
                           '--work-dir', str(tmp_path / 'test')] + options)
    assert 'rank 0 of 2' in dist_log
    assert logged_mean_ap(dist_log) == logged_mean_ap(single_log)


class RecordResumeState(Hook):
    """Record what the runner holds when training (re)starts."""

    def before_train(self, runner):
        self.iter, self.epoch = runner.iter, runner.epoch
        # A copy: training updates the state tensors in place.
        self.optimizer = copy.deepcopy(runner.optim_wrapper.state_dict())


def build_runner(ann_file, root, work_dir, max_epochs, resume, name):
    sys.path.insert(0, osp.join(REPO, 'tools'))
    try:
        from train import merge_args, parse_args
    finally:
        sys.path.pop(0)
    argv = ['train.py', osp.join(REPO, DEMO_CONFIG), '--work-dir',
            str(work_dir), '--seed', '0']
    if resume:
        argv.append('--resume')
    old_argv, sys.argv = sys.argv, argv
    try:
        args = parse_args()
    finally:
        sys.argv = old_argv
    cfg = merge_args(Config.fromfile(args.config), args)
    cfg.merge_from_dict(tiny_train_options(ann_file, root, max_epochs))
    cfg.experiment_name = name
    runner = Runner.from_cfg(cfg)
    recorder = RecordResumeState()
    runner.register_hook(recorder)
    return runner, recorder


def test_resume_continues_iterations_and_optimizer(tiny_synthetic, tmp_path):
    ann_file, root = tiny_synthetic
    runner, _ = build_runner(ann_file, root, tmp_path, 1, False, 'first')
    runner.train()
    iters_per_epoch = runner.iter
    assert iters_per_epoch == 3  # 6 training videos, batch 2
    ckpt = torch.load(tmp_path / 'epoch_1.pth')  # weights_only by default

    runner, seen = build_runner(ann_file, root, tmp_path, 2, True, 'resumed')
    runner.train()
    assert (seen.iter, seen.epoch) == (iters_per_epoch, 1)
    saved = ckpt['optimizer']['state']
    assert saved  # AdamW has state after one epoch
    for key, state in saved.items():
        resumed = seen.optimizer['state'][key]
        assert torch.equal(resumed['step'], state['step'])
        assert torch.equal(resumed['exp_avg'], state['exp_avg'])
        assert torch.equal(resumed['exp_avg_sq'], state['exp_avg_sq'])
    assert runner.iter == 2 * iters_per_epoch
    final = torch.load(tmp_path / 'epoch_2.pth')
    first_key = next(iter(saved))
    assert final['optimizer']['state'][first_key]['step'].item() == \
        2 * iters_per_epoch
