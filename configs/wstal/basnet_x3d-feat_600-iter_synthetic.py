# BaS-Net: a filtering module suppresses the background class; the head
# runs on the features themselves, with its paper's inference.
# On features of the synthetic long videos; runs on a CPU in a minute.
_base_ = [
    '../_base_/models/weak_localizer.py',
    '../_base_/datasets/features_synthetic.py',
    '../_base_/schedules/adam_5k-iter.py', '../_base_/iter_runtime.py'
]

model = dict(
    in_channels={{_base_.in_channels}},
    embed_layers=0,
    head=dict(
        type='BaSNetHead',
        num_classes={{_base_.num_classes}},
        # a CAS module 256 wide instead of 2048, for CPU runs
        cas_channels=256,
        dropout=0.5))

train_cfg = dict(max_iters=600, val_interval=200)
optim_wrapper = dict(optimizer=dict(lr=1e-3))
default_hooks = dict(logger=dict(interval=20), checkpoint=dict(interval=200))
