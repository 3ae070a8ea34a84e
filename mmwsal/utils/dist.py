"""Distributed set-up that also works on machines without a GPU."""
import torch
import torch.distributed as dist
from mmengine.config import Config
from mmengine.dist import all_gather, get_world_size
from mmengine.logging import print_log


def init_gloo_process_group() -> None:
    """Start a gloo process group from torchrun's environment, unless one
    is running."""
    if not dist.is_initialized():
        dist.init_process_group(backend='gloo')
        print_log(
            'No GPU: started a gloo process group (rank '
            f'{dist.get_rank()} of {dist.get_world_size()}).',
            logger='current')


def prepare_cpu_distributed(cfg: Config) -> bool:
    """Make a torchrun launch (``launcher='pytorch'``) work without a GPU.

    mmengine's ``init_dist('pytorch')`` calls ``torch.cuda.set_device`` and
    its default DDP wrapper passes ``device_ids=[LOCAL_RANK]``; both fail on
    a CPU-only machine. When no GPU is visible this starts the process group
    with the gloo backend (the Runner then finds it initialised and uses it)
    and a DDP ``model_wrapper_cfg`` with ``device_ids=None``. With a GPU
    nothing changes.

    Args:
        cfg (Config): The config, with ``launcher`` already merged.

    Returns:
        bool: Whether the CPU set-up was applied.
    """
    if cfg.get('launcher', 'none') != 'pytorch' or torch.cuda.is_available():
        return False
    init_gloo_process_group()
    wrapper = cfg.get('model_wrapper_cfg') or dict(
        type='MMDistributedDataParallel', broadcast_buffers=False)
    if wrapper.get('type', 'MMDistributedDataParallel').endswith(
            'DistributedDataParallel'):
        # An explicit None keeps the Runner from adding [LOCAL_RANK].
        wrapper.setdefault('device_ids', None)
    cfg.model_wrapper_cfg = wrapper
    return True


def finish_distributed() -> None:
    """Wait for every rank, then shut the process group down.

    Without this a rank that finishes first (rank 0 still saving the best
    checkpoint, say) exits with the backend's threads alive, and gloo aborts
    it ("terminate called without an active exception"), which torchrun
    reports as a failed run.
    """
    if dist.is_available() and dist.is_initialized():
        dist.barrier()
        dist.destroy_process_group()


def gather_rows(rows: torch.Tensor) -> torch.Tensor:
    """Concatenate the (n_r, C) tensors of all ranks (n_r may differ), in
    rank order; the input itself in a single process."""
    if get_world_size() == 1:
        return rows
    count = torch.tensor([rows.shape[0]], device=rows.device)
    counts = [int(c) for c in all_gather(count)]
    padded = rows.new_zeros((max(counts), ) + rows.shape[1:])
    padded[:rows.shape[0]] = rows
    gathered = all_gather(padded)
    return torch.cat([g[:n] for g, n in zip(gathered, counts)])
