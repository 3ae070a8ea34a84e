# Background Modeling: L_fg + 0.1 L_bg + 0.1 L_guide + 0.1 L_cluster.
_base_ = [
    '../_base_/models/weak_localizer.py',
    '../_base_/datasets/features_thumos14.py',
    '../_base_/schedules/adam_5k-iter.py', '../_base_/iter_runtime.py'
]

model = dict(
    in_channels={{_base_.in_channels}},
    # Background Modeling attends, pools and classifies the features
    # themselves (eqs. 1-2): no embedding in front of the head.
    embed_layers=0,
    head=dict(type='BackgroundModelingHead', num_classes={{_base_.num_classes}}))
