"""The region-level memory bank: FIFO writes, checkpoints, ranks."""
import os.path as osp

import pytest
import torch
from mmengine.runner import load_checkpoint, save_checkpoint

from mmwsal.models.necks import RegionMemoryBank
from tests.dist_utils import load_script, run_torchrun

HERE = osp.dirname(osp.abspath(__file__))


def batch(n, start, regions=2, channels=3):
    """n instances whose features, labels and videos encode their number."""
    ids = torch.arange(start, start + n)
    action = ids.float()[:, None, None].expand(n, regions, channels) / 64
    return action, -action, ids % 5, ids


def test_enqueue_wraps_around_like_one_write_at_a_time():
    bank = RegionMemoryBank(size=5, num_regions=2, channels=3)
    slots = [None] * 5
    pointer, start = 0, 0
    for n in (3, 4, 0, 12, 2):  # wraps, then more than the bank holds
        bank.enqueue(*batch(n, start))
        for i in range(start, start + n):
            slots[pointer] = i
            pointer = (pointer + 1) % 5
        start += n
        assert int(bank.pointer) == pointer
        assert bank.videos.tolist() == [-1 if i is None else i for i in slots]
    assert bank.videos.tolist() == slots
    assert bank.labels.tolist() == [i % 5 for i in slots]
    want = torch.tensor(slots).float()[:, None, None].expand(5, 2, 3) / 64
    assert torch.equal(bank.action, want)
    assert torch.equal(bank.background, -want)
    assert bank.num_filled == 5


def test_entries_are_the_filled_slots():
    bank = RegionMemoryBank(size=4, num_regions=1, channels=2)
    assert bank.entries()[0].shape == (0, 1, 2)
    bank.enqueue(*batch(3, 10, regions=1, channels=2))
    action, background, labels, videos = bank.entries()
    assert videos.tolist() == [10, 11, 12] and labels.tolist() == [0, 1, 2]
    assert action.shape == background.shape == (3, 1, 2)
    with pytest.raises(ValueError, match='size'):
        RegionMemoryBank(size=0, num_regions=1, channels=2)


def test_features_are_stored_rounded_to_float16():
    bank = RegionMemoryBank(size=3, num_regions=1, channels=4)
    x = torch.randn(2, 1, 4)
    bank.update(x, -x, torch.tensor([1, 2]), torch.tensor([-1, 8]))
    assert torch.equal(bank.action[:2], x.half().float())
    assert torch.equal(bank.background[:2], -x.half().float())
    assert bank.labels.tolist() == [1, 2, -1]
    assert bank.videos.tolist() == [-1, 8, -1]


def test_averaging_identical_banks_over_ranks_is_exact():
    # What SyncBuffersHook does to the buffers of n ranks holding one bank.
    bank = RegionMemoryBank(size=6, num_regions=3, channels=16)
    x = torch.randn(6, 3, 16)
    bank.enqueue(x, x * 3, torch.arange(6), torch.arange(6) + 2**20)
    for n in range(2, 17):
        for name, held in bank.state_dict().items():
            total = held.clone()
            for _ in range(n - 1):
                total = total + held
            mean = torch.true_divide(total, n).to(held.dtype)
            assert torch.equal(mean, held), (name, n)
    # without the rounding, three ranks would change the features
    total = x + x + x
    assert not torch.equal(torch.true_divide(total, 3), x)


def test_checkpoint_round_trip_is_bit_exact(tmp_path):
    bank = RegionMemoryBank(size=7, num_regions=2, channels=5)
    for step in range(3):
        x = torch.randn(4, 2, 5)
        bank.update(x, x.flip(0), torch.randint(0, 9, (4, )),
                    torch.arange(4) + 10 * step)
    path = str(tmp_path / 'bank.pth')
    save_checkpoint(bank.state_dict(), path)
    restored = RegionMemoryBank(size=7, num_regions=2, channels=5)
    load_checkpoint(restored, path, strict=True)
    for name, value in bank.state_dict().items():
        assert torch.equal(restored.state_dict()[name], value), name
    assert int(restored.pointer) == 12 % 7


def test_two_ranks_hold_the_bank_of_one_process_seeing_both_batches(
        tmp_path):
    script = osp.join(HERE, 'dist_bank_script.py')
    run_torchrun(script, str(tmp_path))
    run_steps = load_script(script).run_steps
    single = run_steps(rank=0, world_size=1)
    ranks = [torch.load(tmp_path / f'rank{r}.pth') for r in range(2)]
    for name, value in single.items():
        assert torch.equal(ranks[0][name], ranks[1][name]), name
        assert torch.equal(ranks[0][name], value), name
    # the steps wrote more instances than the bank holds
    assert single['labels'].ge(0).all()
