# The default runtime for iteration-based schedules: logs, validation and
# checkpoints count iterations; the best checkpoint by detection mAP.
_base_ = ['./default_runtime.py']

default_hooks = dict(
    logger=dict(interval=50),
    checkpoint=dict(
        interval=500, by_epoch=False, save_best='mAP_avg', rule='greater'))
log_processor = dict(by_epoch=False)
