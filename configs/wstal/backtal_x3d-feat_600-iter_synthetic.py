# BackTAL (BaS-Net's branches with frame-specific convolutions, click,
# separation and affinity losses) on features of the synthetic long videos,
# clicks simulated from the segments; its paper's inference. Runs on a CPU
# in a minute.
_base_ = [
    '../_base_/models/weak_localizer.py',
    '../_base_/datasets/features_synthetic.py',
    '../_base_/schedules/adam_5k-iter.py', '../_base_/iter_runtime.py'
]

model = dict(
    in_channels={{_base_.in_channels}},
    embed_layers=0,
    head=dict(
        type='BackTALHead',
        num_classes={{_base_.num_classes}},
        # CAS module and embedding narrower than 2048 / 512, for CPU runs
        cas_channels=256,
        embed_hidden=128,
        dropout=0.5))

train_dataloader = dict(dataset=dict(simulate_clicks=True))
train_cfg = dict(max_iters=600, val_interval=200)
optim_wrapper = dict(optimizer=dict(lr=1e-3))
default_hooks = dict(logger=dict(interval=20), checkpoint=dict(interval=200))
