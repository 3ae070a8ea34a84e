# Breakfast complex activities (10 classes, one per video) from snippet
# features; split 1 (test persons P03-P15). Annotation:
#   python tools/data/convert_breakfast.py ... --level activity (docs/datasets.md)
# Features: tools/extract_features.py with the recognizer of your choice.
_base_ = ['./snippet_features.py']

data_root = 'data/breakfast'
# Datasets join data_root and their ann_file; metrics read the full path.
ann_name = 'annotations_activity.json'
ann_file = f'{data_root}/{ann_name}'
feature_dirs = ['features']
num_classes = 10
in_channels = 2048

pack = dict(type='PackSnippetInputs', single_label=True)
# Checkpoints are chosen on a seeded held-out part of the training videos
# (saved as heldout_split.json with the run); training reads the rest, and
# the 'test' subset is read by tools/test.py only (docs/datasets.md,
# "Dataset policies").
heldout = dict(ratio=0.1, seed=0)
train_dataloader = dict(
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(
        ann_file=ann_name,
        data_root=data_root,
        feature_dirs=feature_dirs,
        subset='train',
        heldout=dict(heldout, part='train'),
        pipeline=[
            dict(type='LoadSnippetFeatures', feature_dim=in_channels), pack
        ]))
val_dataloader = dict(
    dataset=dict(
        ann_file=ann_name,
        data_root=data_root,
        feature_dirs=feature_dirs,
        subset='train',
        heldout=dict(heldout, part='val'),
        pipeline=[dict(type='LoadSnippetFeatures'), pack]))
test_dataloader = dict(
    dataset=dict(
        ann_file=ann_name,
        data_root=data_root,
        feature_dirs=feature_dirs,
        subset='test',
        pipeline=[dict(type='LoadSnippetFeatures'), pack]))

val_evaluator = dict(
    type='AccMetric', metric_list=('top_k_accuracy', 'mean_class_accuracy'))
test_evaluator = val_evaluator
