# Annotation-efficient video recognition on ActivityNet 1.2: base classes
# from video labels (cosine classifier, background pseudo-labelling,
# self-weighting, NBG contrast), then 5-way 1- and 5-shot episodes of the
# novel classes with tools/test.py. On the I3D features of the dataset
# config; the paper used ImageNet ResNet-50 RGB features (2048-d too): point
# the config at yours with use_feature_set or --cfg-options.
_base_ = [
    '../_base_/models/weak_localizer.py',
    '../_base_/datasets/fewshot_activitynet12.py',
    '../_base_/schedules/sgd_nesterov_5k-iter.py',
    '../_base_/iter_runtime.py'
]

model = dict(
    in_channels={{_base_.in_channels}},
    # The head embeds the features (1x1 to 2048, depthwise 1x8).
    embed_layers=0,
    head=dict(
        type='SelfWeightingHead',
        num_classes={{_base_.num_base_classes}},
        transform_channels=2048,
        test_cfg=dict(output='embeddings')))

default_hooks = dict(checkpoint=dict(save_best=None))
