import contextlib
import copy
import copyreg
import io
import pickle
import pickletools
import subprocess
import sys
import types
import zipfile

import numpy as np
import pytest
import torch
from mmengine.hooks import Hook
from mmengine.logging import HistoryBuffer
from mmengine.model import BaseModel
from mmengine.runner import Runner, load_checkpoint
from torch import nn
from torch.utils.data import Dataset

import mmwsal  # noqa: F401  (registers the allow-list)
from mmwsal.utils import register_checkpoint_safe_globals
from mmwsal.utils.checkpoint import history_buffer_statistic


class NotAllowed:
    """A class a checkpoint may not smuggle in."""


class GetattrCall:
    """Pickles as the call ``getattr(owner, name)``, as protocol 2 writes a
    method reached through its class."""

    def __init__(self, owner, name):
        self.owner, self.name = owner, name

    def __reduce__(self):
        return getattr, (self.owner, self.name)


@contextlib.contextmanager
def stock_history_buffer_pickling():
    """Pickle ``HistoryBuffer`` as a stock mmengine does (through
    ``__getstate__``, so with ``getattr`` calls), not with mmwsal's reducer."""
    copyreg.dispatch_table.pop(HistoryBuffer)
    try:
        yield
    finally:
        register_checkpoint_safe_globals()


class NumpyOnePickler(pickle.Pickler):
    """Write NumPy's array and scalar constructors by their NumPy 1.x names
    (``numpy.core.multiarray``), as the model zoo's files hold them."""

    def __init__(self, file, protocol=None):
        self._target = file
        self._buffer = io.BytesIO()
        super().__init__(self._buffer, protocol)

    def dump(self, obj):
        super().dump(obj)
        # Protocol 2 writes GLOBAL as text lines and refers to memoised
        # globals by index, so renaming the module keeps the stream valid.
        self._target.write(self._buffer.getvalue().replace(
            b'cnumpy._core.multiarray\n', b'cnumpy.core.multiarray\n'))


def save_like_the_zoo(checkpoint, path, numpy_names):
    """``torch.save`` as a stock mmengine does, under NumPy 1 or 2 names."""
    pickle_module = pickle
    if numpy_names == 'numpy1':
        pickle_module = types.SimpleNamespace(
            __name__='numpy1_pickle', Pickler=NumpyOnePickler)
    with stock_history_buffer_pickling():
        torch.save(checkpoint, path, pickle_module=pickle_module)
    return str(path)


def pickled_globals(path):
    """The ``module.name`` of every GLOBAL in a torch.save file."""
    with zipfile.ZipFile(path) as archive:
        name = next(n for n in archive.namelist() if n.endswith('/data.pkl'))
        data = archive.read(name)
    return {
        arg.replace(' ', '.').replace('__builtin__.', 'builtins.')
        for op, arg, _ in pickletools.genops(data) if op.name == 'GLOBAL'
    }


class ToyRecognizer(BaseModel):
    """A linear classifier with a batch norm (so buffers too)."""

    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 2)
        self.bn = nn.BatchNorm1d(2)

    def forward(self, inputs, labels=None, mode='tensor'):
        scores = self.bn(self.fc(inputs))
        if mode == 'loss':
            return dict(loss_cls=nn.functional.mse_loss(scores, labels))
        return scores


class ToyClips(Dataset):
    """Eight random inputs with a dataset meta as MMAction2's datasets have.
    """
    metainfo = dict(classes=('jump', 'run'))

    def __init__(self):
        generator = torch.Generator().manual_seed(0)
        self.inputs = torch.rand(8, 4, generator=generator)
        self.labels = torch.rand(8, 2, generator=generator)

    def __len__(self):
        return len(self.inputs)

    def __getitem__(self, index):
        return dict(inputs=self.inputs[index], labels=self.labels[index])


class CaptureCheckpoint(Hook):
    """Keep the dict Runner.save_checkpoint is about to write."""

    def before_save_checkpoint(self, runner, checkpoint):
        self.checkpoint = copy.deepcopy(checkpoint)


@pytest.fixture(scope='module')
def runner_checkpoint(tmp_path_factory):
    """What mmengine's Runner writes after a short training run: meta,
    state_dict, message_hub (HistoryBuffers), optimizer, param_schedulers.
    """
    capture = CaptureCheckpoint()
    runner = Runner(
        model=ToyRecognizer(),
        default_scope='mmaction',  # as the configs; later tests build there
        work_dir=str(tmp_path_factory.mktemp('zoo_run')),
        experiment_name='zoo_fixture',
        train_dataloader=dict(
            dataset=ToyClips(),
            sampler=dict(type='DefaultSampler', shuffle=True),
            collate_fn=dict(type='default_collate'),
            batch_size=2,
            num_workers=0),
        train_cfg=dict(by_epoch=True, max_epochs=1),
        optim_wrapper=dict(optimizer=dict(type='SGD', lr=0.1, momentum=0.9)),
        param_scheduler=[
            dict(type='LinearLR', start_factor=0.1, by_epoch=False, end=2),
            dict(type='MultiStepLR', milestones=[1], by_epoch=True)
        ],
        default_hooks=dict(checkpoint=dict(type='CheckpointHook', interval=1)),
        custom_hooks=[capture],
        randomness=dict(seed=0))
    runner.train()
    return capture.checkpoint


@pytest.fixture(params=['numpy1', 'numpy2'])
def zoo_checkpoint(request, runner_checkpoint, tmp_path):
    """A model-zoo style checkpoint file: the Runner's dict pickled by a
    stock mmengine, under NumPy 1.x names (as the zoo's 2022-2023 files) or
    NumPy 2 ones."""
    path = save_like_the_zoo(runner_checkpoint, tmp_path / 'zoo.pth',
                             request.param)
    return path, request.param


def test_history_buffer_round_trips_under_weights_only(tmp_path):
    buf = HistoryBuffer([0.5, 0.25], [1, 2])
    path = tmp_path / 'c.pth'
    torch.save({'hub': buf, 'arr': np.arange(3.0), 'x': np.float64(2.0)}, path)
    assert 'builtins.getattr' not in pickled_globals(path)
    out = torch.load(path)  # weights_only=True is torch's default
    np.testing.assert_array_equal(out['hub'].data[0], [0.5, 0.25])
    np.testing.assert_array_equal(out['hub'].data[1], [1, 2])
    assert out['hub'].mean() == buf.mean()
    np.testing.assert_array_equal(out['arr'], np.arange(3.0))
    assert out['x'] == 2.0


def test_stock_pickled_history_buffer_loads(tmp_path):
    buf = HistoryBuffer([0.5, 0.25], [1, 2])
    path = save_like_the_zoo({'hub': buf}, tmp_path / 'c.pth', 'numpy1')
    found = pickled_globals(path)
    assert 'builtins.getattr' in found
    assert 'numpy.core.multiarray._reconstruct' in found
    out = torch.load(path)
    assert isinstance(out['hub'], HistoryBuffer)
    np.testing.assert_array_equal(out['hub'].data[0], [0.5, 0.25])
    assert out['hub'].mean() == buf.mean()
    assert out['hub'].statistics('max') == 0.5


def test_other_objects_are_still_refused(tmp_path):
    path = tmp_path / 'evil.pth'
    torch.save({'obj': NotAllowed()}, path)
    with pytest.raises(pickle.UnpicklingError, match='NotAllowed'):
        torch.load(path)
    # The name builtins.getattr stands for the statistics resolver: a bare
    # reference loads as that, never as the builtin.
    torch.save({'f': getattr}, path)
    assert torch.load(path)['f'] is history_buffer_statistic


@pytest.mark.parametrize('owner, name', [
    (np.ndarray, 'tofile'),
    (torch.Tensor, 'add_'),
    (HistoryBuffer, 'update'),
    (HistoryBuffer, '__init__'),
    (HistoryBuffer, 'register_statistics'),
])
def test_getattr_outside_the_statistics_is_refused(tmp_path, owner, name):
    path = tmp_path / 'evil.pth'
    torch.save({'f': GetattrCall(owner, name)}, path)
    assert 'builtins.getattr' in pickled_globals(path)
    with pytest.raises(
            pickle.UnpicklingError,
            match=rf'getattr\({owner.__module__}\.'
            rf'{owner.__qualname__}, {name!r}\)'):
        torch.load(path)


def test_zoo_fixture_has_the_zoo_layout(zoo_checkpoint, runner_checkpoint):
    path, numpy_names = zoo_checkpoint
    assert set(runner_checkpoint) == {
        'meta', 'state_dict', 'message_hub', 'optimizer', 'param_schedulers'
    }
    assert {
        'cfg', 'seed', 'experiment_name', 'time', 'mmengine_version',
        'dataset_meta', 'epoch', 'iter'
    } <= set(runner_checkpoint['meta'])
    assert isinstance(runner_checkpoint['meta']['cfg'], str)
    scalars = runner_checkpoint['message_hub']['log_scalars']
    assert isinstance(scalars['train/loss'], HistoryBuffer)
    found = pickled_globals(path)
    assert 'builtins.getattr' in found
    assert 'mmengine.logging.history_buffer.HistoryBuffer' in found
    core = 'numpy.core' if numpy_names == 'numpy1' else 'numpy._core'
    assert f'{core}.multiarray._reconstruct' in found
    assert torch.serialization.get_unsafe_globals_in_checkpoint(path) == []


def test_zoo_fixture_needs_the_allow_list(zoo_checkpoint):
    path, _ = zoo_checkpoint
    code = f'import torch; torch.load({path!r})'
    proc = subprocess.run([sys.executable, '-c', code],
                          capture_output=True,
                          text=True,
                          timeout=120)
    assert proc.returncode != 0
    assert 'Weights only load failed' in proc.stderr


def test_zoo_checkpoint_loads_with_load_from(zoo_checkpoint, runner_checkpoint,
                                             tmp_path):
    path, numpy_names = zoo_checkpoint
    runner = Runner(
        model=ToyRecognizer(),
        default_scope='mmaction',
        work_dir=str(tmp_path),
        experiment_name=f'zoo_load_from_{numpy_names}',
        load_from=path)
    for param in runner.model.parameters():
        nn.init.zeros_(param)
    runner.load_or_resume()
    loaded = runner.model.state_dict()
    for key, value in runner_checkpoint['state_dict'].items():
        assert torch.equal(loaded[key], value), key
    assert loaded['bn.num_batches_tracked'] == 4  # 8 inputs, batch 2


def test_zoo_checkpoint_loads_with_load_checkpoint(zoo_checkpoint,
                                                   runner_checkpoint):
    path, _ = zoo_checkpoint
    model = ToyRecognizer()
    checkpoint = load_checkpoint(model, path, map_location='cpu')
    expected = runner_checkpoint
    assert checkpoint['meta'] == expected['meta']
    assert checkpoint['meta']['dataset_meta'] == dict(classes=('jump', 'run'))
    loss = checkpoint['message_hub']['log_scalars']['train/loss']
    np.testing.assert_array_equal(
        loss.data[0],
        expected['message_hub']['log_scalars']['train/loss'].data[0])
    assert loss.mean() == pytest.approx(
        expected['message_hub']['log_scalars']['train/loss'].mean())
    assert checkpoint['message_hub']['runtime_info'] == \
        expected['message_hub']['runtime_info']
    momentum = checkpoint['optimizer']['state'][0]['momentum_buffer']
    assert torch.equal(momentum,
                       expected['optimizer']['state'][0]['momentum_buffer'])
    assert checkpoint['param_schedulers'] == expected['param_schedulers']
    assert torch.equal(model.fc.weight, expected['state_dict']['fc.weight'])


def test_zoo_checkpoint_with_a_foreign_object_is_refused(
        runner_checkpoint, tmp_path):
    checkpoint = copy.deepcopy(runner_checkpoint)
    checkpoint['meta']['hook_state'] = NotAllowed()
    path = save_like_the_zoo(checkpoint, tmp_path / 'evil.pth', 'numpy1')
    runner = Runner(
        model=ToyRecognizer(),
        default_scope='mmaction',
        work_dir=str(tmp_path),
        experiment_name='zoo_load_from_evil',
        load_from=path)
    with pytest.raises(pickle.UnpicklingError, match='NotAllowed'):
        runner.load_or_resume()
    with pytest.raises(pickle.UnpicklingError, match='NotAllowed'):
        load_checkpoint(ToyRecognizer(), path)
