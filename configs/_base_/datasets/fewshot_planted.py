# Planted snippet features for annotation-efficient recognition: 21 classes,
# each a random direction of 32 channels, 630 videos of one action each, half
# of them with an unlabelled background stretch that looks like another
# class (informative background); 14 base and 7 novel classes. Write them
# with
#   generate_planted_features('data/planted_fewshot', num_videos=630,
#       num_classes=21, dim=32, noise=0.5, strength=1.0,
#       background_actions=0.5, patterns='random')
#   python tools/data/make_class_split.py \
#       data/planted_fewshot/annotations.json --num-novel 7 \
#       --out data/planted_fewshot/class_split_seed0.json
# Base-class training reads the base videos of every subset; the episodes
# read the novel videos (support segments and untrimmed queries).
_base_ = ['./snippet_features.py']

data_root = 'data/planted_fewshot'
ann_file = 'data/planted_fewshot/annotations.json'
class_split = 'data/planted_fewshot/class_split_seed0.json'
# Datasets join data_root with their ann_file; metrics take the full path.
dataset_ann_file = 'annotations.json'
feature_dirs = ['features']
num_classes = 21
num_base_classes = 14
in_channels = 32
num_snippets = 48

train_dataloader = dict(
    batch_size=16,
    num_workers=2,
    dataset=dict(
        type='ClassSplitSnippetDataset',
        class_split=class_split,
        classes_part='base',
        ann_file=dataset_ann_file,
        data_root=data_root,
        feature_dirs=feature_dirs,
        pipeline=[
            dict(type='LoadSnippetFeatures', feature_dim=in_channels),
            dict(type='ResampleSnippets', num_snippets=num_snippets),
            dict(type='PackSnippetInputs')
        ]))
# No validation: the novel classes are for testing only.
val_dataloader = None
val_evaluator = None
test_dataloader = dict(
    num_workers=2,
    dataset=dict(
        type='ClassSplitSnippetDataset',
        class_split=class_split,
        classes_part='novel',
        ann_file=dataset_ann_file,
        data_root=data_root,
        feature_dirs=feature_dirs))
test_evaluator = dict(
    type='FewShotEpisodeMetric',
    ann_file=ann_file,
    class_split=class_split,
    num_queries=5,
    tiou_thresholds='activitynet')

custom_hooks = [dict(type='RecordClassSplitHook')]
