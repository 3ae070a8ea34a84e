# BackTAL: background-click supervision on BaS-Net (filter, base and
# suppression branches; both convolutions of the CAS module frame-specific,
# weighted by the affinity embedding) on the features; L_base + L_supp +
# 1e-4 L_norm + L_frame + 1.0 L_sep + 0.8 L_aff; BaS-Net's inference with
# 16x interpolation and NMS 0.55 (BACKTAL_TEST_CFG). 100 epochs of the 200 validation
# videos at batch 16 (1,300 iterations), features linearly interpolated to
# T = 750 as the paper does.
# Clicks: simulated from the segments (one per background stretch, seed 0);
# with human clicks in the annotation set simulate_clicks=False.
_base_ = [
    '../_base_/models/weak_localizer.py',
    '../_base_/datasets/features_thumos14.py',
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
            dict(type='ResampleSnippets', num_snippets=750,
                 mode='interpolate'),
            dict(type='PackSnippetInputs')
        ]))
train_cfg = dict(max_iters=1300, val_interval=100)
default_hooks = dict(checkpoint=dict(interval=100))
