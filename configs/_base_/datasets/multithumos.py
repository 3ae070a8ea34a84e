# MultiTHUMOS: 413 THUMOS14 videos densely labelled with 65 classes (200 train, 213 test).
# Annotation: tools/data/convert_multithumos.py (docs/datasets.md).
_base_ = ['./long_video.py']

data_root = 'data/multithumos/videos'
ann_file = 'data/multithumos/annotations.json'
num_classes = 65

train_dataloader = dict(
    dataset=dict(
        ann_file=ann_file, data_prefix=dict(video=data_root), subset='validation'))
val_dataloader = dict(
    dataset=dict(
        ann_file=ann_file, data_prefix=dict(video=data_root), subset='test'))
test_dataloader = val_dataloader
