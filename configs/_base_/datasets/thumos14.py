# THUMOS14: the validation set trains, the test set evaluates; 20 classes.
# Annotation: tools/data/convert_thumos14.py (docs/datasets.md).
_base_ = ['./long_video.py']

data_root = 'data/thumos14/videos'
ann_file = 'data/thumos14/annotations.json'
num_classes = 20

train_dataloader = dict(
    dataset=dict(
        ann_file=ann_file, data_prefix=dict(video=data_root), subset='validation'))
val_dataloader = dict(
    dataset=dict(
        ann_file=ann_file, data_prefix=dict(video=data_root), subset='test'))
test_dataloader = val_dataloader
