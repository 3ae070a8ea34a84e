# SGD with Nesterov momentum at lr 0.01, as annotation-efficient video
# recognition trains its base-class model (the paper gives no length: 5,000
# iterations, as the WS-TAL configs). No validation: the novel classes are
# for testing only, and the base classes have no held-out videos.
train_cfg = dict(type='IterBasedTrainLoop', max_iters=5000)
val_cfg = None
test_cfg = dict(type='TestLoop')

optim_wrapper = dict(
    optimizer=dict(
        type='SGD', lr=0.01, momentum=0.9, nesterov=True,
        weight_decay=5e-4))
param_scheduler = []
