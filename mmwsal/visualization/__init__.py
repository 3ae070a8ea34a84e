from .figures import (plot_action_scores, plot_curves, plot_localization,
                      read_scalars)
from .run_figures import (localization_figure, localize_video,
                          pipeline_figures, recognizer_scores_figure,
                          scalars_file, snippet_centres, training_figures)

__all__ = [
    'plot_action_scores', 'plot_curves', 'plot_localization', 'read_scalars',
    'localization_figure', 'localize_video', 'pipeline_figures',
    'recognizer_scores_figure', 'scalars_file', 'snippet_centres',
    'training_figures'
]
