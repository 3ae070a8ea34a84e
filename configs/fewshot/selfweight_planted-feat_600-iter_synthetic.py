# Annotation-efficient video recognition on planted features: base classes
# from video labels (cosine classifier, background pseudo-labelling,
# self-weighting, NBG contrast), then 5-way 1- and 5-shot episodes of the
# novel classes with tools/test.py. Trains on a CPU in about a minute.
_base_ = [
    '../_base_/models/weak_localizer.py',
    '../_base_/datasets/fewshot_planted.py',
    '../_base_/schedules/sgd_nesterov_5k-iter.py',
    '../_base_/iter_runtime.py'
]

model = dict(
    in_channels={{_base_.in_channels}},
    # The head embeds the features itself: no embedding in front of it.
    embed_layers=0,
    head=dict(
        type='SelfWeightingHead',
        num_classes={{_base_.num_base_classes}},
        # actions of 5-10 snippets: a shorter kernel than the paper's 8
        temporal_kernel=3,
        test_cfg=dict(output='embeddings')))

train_cfg = dict(max_iters=600)
default_hooks = dict(
    logger=dict(interval=20), checkpoint=dict(interval=600, save_best=None))
