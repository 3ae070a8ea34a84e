"""Finding the modules a hook drives inside the runner's model."""
from typing import List, Type

from mmengine.model import is_model_wrapper


def model_modules(runner, cls: Type, hook: str) -> List:
    """The submodules of type ``cls`` of the runner's (unwrapped) model.

    Raises:
        RuntimeError: There is none; the message names ``hook``.
    """
    model = runner.model
    if is_model_wrapper(model):
        model = model.module
    found = [m for m in model.modules() if isinstance(m, cls)]
    if not found:
        raise RuntimeError(f'{hook} found no {cls.__name__} in the model '
                           f'{type(model).__name__}')
    return found
