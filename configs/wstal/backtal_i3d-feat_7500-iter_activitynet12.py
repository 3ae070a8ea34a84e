# BackTAL on ActivityNet 1.2: 25 epochs of the training videos at batch 16
# (about 7,500 iterations), features linearly interpolated to T = 100.
# Clicks simulated from the segments (seed 0), as the paper does on
# ActivityNet.
_base_ = [
    '../_base_/models/weak_localizer.py',
    '../_base_/datasets/features_activitynet12.py',
    '../_base_/schedules/adam_5k-iter.py', '../_base_/iter_runtime.py'
]

model = dict(
    in_channels={{_base_.in_channels}},
    embed_layers=0,
    head=dict(type='BackTALHead', num_classes={{_base_.num_classes}}))

train_dataloader = dict(
    dataset=dict(
        simulate_clicks=True,
        pipeline=[
            dict(type='LoadSnippetFeatures',
                 feature_dim={{_base_.in_channels}}),
            dict(type='ResampleSnippets', num_snippets=100,
                 mode='interpolate'),
            dict(type='PackSnippetInputs')
        ]))
train_cfg = dict(max_iters=7500, val_interval=500)
