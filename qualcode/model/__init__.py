"""Classifiers that learn themes from a coder's decisions (spaCy lives in `qualcode.engine.textcat`).

    from qualcode.model import train, cross_validate, predict, save_model, load_model
"""
from qualcode.model.data import TurnExample, build_examples, turn_features
from qualcode.model.metrics import LabelScore, cohen_kappa, multiclass_report, multilabel_scores
from qualcode.model.modeldir import check_model_codebook, load_model, save_model
from qualcode.model.predict import order_by_uncertainty, predict, uncertainty
from qualcode.model.train import (CVResult, Model, TrainOptions, TrainProgress, TrainResult, cross_validate,
                                  split_by_transcript, train)

__all__ = ["TurnExample", "build_examples", "turn_features", "LabelScore", "cohen_kappa", "multiclass_report",
           "multilabel_scores", "check_model_codebook", "load_model", "save_model", "order_by_uncertainty",
           "predict", "uncertainty", "CVResult", "Model", "TrainOptions", "TrainProgress", "TrainResult",
           "cross_validate", "split_by_transcript", "train"]
