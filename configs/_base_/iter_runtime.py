# The default runtime for iteration-based schedules on snippet features
# (WS-TAL, few-shot): logs, validation and checkpoints count iterations. No
# best checkpoint: these configs train a fixed schedule on the whole training
# subset and report the last checkpoint, iter_<max_iters>.pth; their
# validation, where they have one, reads the test subset as a progress
# display only (docs/datasets.md, "Dataset policies").
_base_ = ['./default_runtime.py']

default_hooks = dict(
    logger=dict(interval=50),
    checkpoint=dict(interval=500, by_epoch=False, save_best=None))
log_processor = dict(by_epoch=False)
