# "Full (Clean)" oracle on Breakfast (AdaptFocus paper, Table 2): the weak
# baseline weak_i3d-r50_32x3_breakfast.py, except that each training clip is
# labelled with the classes of the annotated segments it overlaps (it reads
# `segments`, which weakly supervised training must not). Stock Recognizer3D
# and BCE.
_base_ = ['../weak/weak_i3d-r50_32x3_breakfast.py']

train_pipeline = [
    dict(step, label_mode='clean') if step.type == 'WeakClipSampler' else step
    for step in _base_.train_pipeline
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
