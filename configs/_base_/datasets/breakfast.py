# Breakfast, action level: 48 labels minus the background SIL = 47 classes; split 1 (test persons P03-P15).
# Annotation: tools/data/convert_breakfast.py --level action (docs/datasets.md).
_base_ = ['./long_video.py']

data_root = 'data/breakfast/videos'
ann_file = 'data/breakfast/annotations_action.json'
num_classes = 47

train_dataloader = dict(
    dataset=dict(
        ann_file=ann_file, data_prefix=dict(video=data_root), subset='train'))
val_dataloader = dict(
    dataset=dict(
        ann_file=ann_file, data_prefix=dict(video=data_root), subset='test'))
test_dataloader = val_dataloader
