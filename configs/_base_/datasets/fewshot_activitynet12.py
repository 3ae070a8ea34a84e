# ActivityNet 1.2 for annotation-efficient recognition: 80 base and 20 novel
# classes chosen by a seed (python tools/data/make_class_split.py
# data/activitynet/annotations_v1.2.json --num-novel 20 --seed 0
# --out data/activitynet/class_split_v1.2_seed0.json), over the videos of
# the official training and validation sets, as the paper uses them. The
# base-class model trains on the base videos with their video labels; the
# episodes read the novel videos. Every video is resampled to the paper's
# T = 100 snippets.
_base_ = ['./features_activitynet12.py']

class_split = 'data/activitynet/class_split_v1.2_seed0.json'
num_base_classes = 80
num_snippets = 100
subsets = ['training', 'validation']
# Datasets join data_root with their ann_file; metrics take the full path.
dataset_ann_file = 'annotations_v1.2.json'

train_dataloader = dict(
    dataset=dict(
        type='ClassSplitSnippetDataset',
        class_split=class_split,
        classes_part='base',
        ann_file=dataset_ann_file,
        subset=subsets,
        pipeline=[
            dict(type='LoadSnippetFeatures',
                 feature_dim={{_base_.in_channels}}),
            dict(type='ResampleSnippets', num_snippets=num_snippets),
            dict(type='PackSnippetInputs')
        ]))
val_dataloader = None
val_evaluator = None
test_dataloader = dict(
    dataset=dict(
        type='ClassSplitSnippetDataset',
        class_split=class_split,
        classes_part='novel',
        ann_file=dataset_ann_file,
        subset=subsets,
        pipeline=[
            dict(type='LoadSnippetFeatures'),
            dict(type='ResampleSnippets', num_snippets=num_snippets,
                 mode='interpolate', test_mode=True),
            dict(type='PackSnippetInputs')
        ]))
test_evaluator = [
    dict(
        type='FewShotEpisodeMetric',
        ann_file={{_base_.ann_file}},
        class_split=class_split,
        subset=subsets,
        tiou_thresholds='activitynet')
]

custom_hooks = [dict(type='RecordClassSplitHook')]
