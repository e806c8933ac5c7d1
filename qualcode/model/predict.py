"""Model suggestions for a transcript: one per turn and theme whose probability reaches its threshold."""
from __future__ import annotations

from typing import Mapping, Sequence

from qualcode.model.data import all_turn_features
from qualcode.models import Suggestion, Transcript

#: The `rule` column of model suggestions.
MODEL_RULE = "model"


def thresholds_for(model, min_score: float | Mapping[str, float] | None) -> dict[str, float]:
    """The model's thresholds, overridden by one number for all themes or by a number per theme."""
    cuts = dict(model.thresholds)
    if isinstance(min_score, (int, float)):
        return {label: float(min_score) for label in cuts}
    for label, value in (min_score or {}).items():
        if label in cuts:
            cuts[label] = float(value)
    return cuts


def predict(transcript: Transcript, model, *, min_score: float | Mapping[str, float] | None = None,
            labels: Sequence[str] | None = None) -> list[Suggestion]:
    """Suggestions (`source="model"`, `score` = probability) for every turn, in turn and label order.

    A theme limited to some roles is only suggested on turns of those roles. The whole
    turn is the suggested segment."""
    from qualcode.engine import textcat

    cuts = thresholds_for(model, min_score)
    wanted = [label for label in model.labels if labels is None or label in set(labels)]
    texts = all_turn_features(transcript, context=model.context)
    out: list[Suggestion] = []
    for turn, probs in zip(transcript.turns, textcat.score(model.nlp, texts)):
        for label in wanted:
            roles = model.label_roles.get(label)
            if roles and turn.role not in roles:
                continue
            probability = float(probs.get(label, 0.0))
            if probability < cuts[label]:
                continue
            out.append(Suggestion(
                transcript=transcript.id, turn=turn.number, speaker=turn.speaker, role=turn.role, theme=label,
                theme_path=model.label_paths.get(label, label), start=turn.start, end=turn.end, line=turn.line,
                quote=turn.text, rule=MODEL_RULE, score=probability, source="model"))
    return out


def uncertainty(score: float) -> float:
    """1.0 at probability 0.5, 0.0 at 0 or 1: how much a coder's decision on it would teach the model."""
    return 1.0 - abs(2.0 * score - 1.0)


def order_by_uncertainty(suggestions: Sequence[Suggestion]) -> list[Suggestion]:
    """Model suggestions most uncertain first (for `review --order uncertain`); ties in turn order."""
    return sorted(suggestions, key=lambda s: (-uncertainty(s.score), s.transcript, s.turn, s.theme))


def parse_min_score(values: Sequence[str] | None) -> float | dict[str, float] | None:
    """`--min-score` values: one number for every theme, or THEME=NUMBER per theme (ValueError if bad)."""
    if not values:
        return None
    overall: float | None = None
    per_theme: dict[str, float] = {}
    for value in values:
        theme, sep, number = value.rpartition("=")
        try:
            score = float(number)
        except ValueError:
            score = -1.0
        if not 0.0 <= score <= 1.0 or (sep and not theme.strip()):
            raise ValueError(f"--min-score takes a probability from 0 to 1, or THEME=probability; got {value!r}")
        if sep:
            per_theme[theme.strip()] = score
        else:
            overall = score
    if overall is not None and not per_theme:
        return overall
    if overall is not None:
        raise ValueError("give --min-score either one number for all themes or THEME=probability values, not both")
    return per_theme


def add_model_suggestions(result, model_dir, codebook, *, min_score=None):
    """`result` (a CodingResult) with the model's suggestions added after the rule ones of each turn,
    and the warnings about the model (trained on another codebook version, themes it lacks)."""
    from qualcode.coding import CodingResult
    from qualcode.model.modeldir import check_model_codebook, load_model

    model = load_model(model_dir) if not hasattr(model_dir, "nlp") else model_dir
    diags, usable = check_model_codebook(model, codebook)
    if isinstance(min_score, dict):
        from qualcode.errors import Diagnostic
        from qualcode.model.modeldir import ModelError

        unknown = sorted(set(min_score) - set(model.labels))
        if unknown:
            raise ModelError(Diagnostic("QC615", f"--min-score names theme(s) the model does not suggest: "
                                                 f"{', '.join(unknown)}", model.path,
                                        hint=f"the model's themes: {', '.join(model.labels)}"))
    found = predict(result.transcript, model, min_score=min_score, labels=usable)
    merged = sorted(list(result.suggestions) + found, key=lambda s: (s.turn, s.source == "model"))
    return CodingResult(result.transcript, tuple(merged)), diags
