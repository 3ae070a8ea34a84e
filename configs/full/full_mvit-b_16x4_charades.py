# "Full (Clean)" oracle on Charades (AdaptFocus paper, Table 1): the weak
# baseline weak_mvit-b_16x4_charades.py, except that each training clip is
# labelled with the classes of the annotated segments it overlaps (it reads
# `segments`, which weakly supervised training must not). Stock Recognizer3D
# and BCE.
_base_ = ['../weak/weak_mvit-b_16x4_charades.py']

train_pipeline = [
    dict(step, label_mode='clean') if step.type == 'WeakClipSampler' else step
    for step in _base_.train_pipeline
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
