# The "Weak (Noisy)" baseline on synthetic long videos: a tiny X3D trained
# with BCE on one random 8x4 clip per video per visit, every clip labelled
# with its video's labels. Runs on a CPU in a few minutes.
# No horizontal flip: it would turn 'move_right' into 'move_left'.
# Set label_mode='clean' in the train pipeline for the "Full (Clean)" oracle.
_base_ = [
    '../_base_/models/x3d_tiny.py', '../_base_/datasets/synthetic.py',
    '../_base_/schedules/adamw_cosine_30e.py', '../_base_/default_runtime.py'
]

clip_len, frame_interval = 8, 4
model = dict(cls_head=dict(num_classes={{_base_.num_classes}}))

meta_keys = ('video_id', 'video_index', 'clip_position', 'num_positions')
train_pipeline = [
    dict(type='LongVideoInit'),
    dict(
        type='WeakClipSampler',
        clip_len=clip_len,
        frame_interval=frame_interval,
        label_mode='weak'),
    dict(type='LongVideoDecode'),
    dict(type='RandomResizedCrop', area_range=(0.5, 1.0)),
    dict(type='Resize', scale=(64, 64), keep_ratio=False),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs', meta_keys=meta_keys)
]
# Ten views spread over the whole video (the view_t of the papers' Charades
# setting); their scores are averaged.
test_pipeline = [
    dict(type='LongVideoInit'),
    dict(
        type='WeakClipSampler',
        clip_len=clip_len,
        frame_interval=frame_interval,
        num_clips=10,
        test_mode=True),
    dict(type='LongVideoDecode'),
    dict(type='Resize', scale=(64, 64), keep_ratio=False),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs', meta_keys=meta_keys)
]

train_dataloader = dict(batch_size=8, dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=test_pipeline))
test_dataloader = val_dataloader

default_hooks = dict(logger=dict(interval=5))
