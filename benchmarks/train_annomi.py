"""Benchmark: qualcode's turn classifier on the AnnoMI counselling sample, cross-validated by transcript.

    /work/venv/bin/python benchmarks/train_annomi.py [--folds 10] [--epochs 10] [--seed 0] [--quick]

`tests/data/annomi/labels.csv` is imported as a gold coder: each label becomes a theme
`<label_type>/<label>` on turn `turn_index + 1`. Two tasks are scored, each single-label
multi-class: `main_therapist_behaviour` (therapist turns: reflection / question /
therapist_input / other) and `client_talk_type` (client turns: change / neutral / sustain).

qualcode's model is one multi-label classifier over all seven themes (how `qualcode train`
works), each theme limited to its role; a turn's class in a task is the argmax of that
task's themes (the task's labels exclude each other, so argmax rather than thresholds).
Variants compared: features 'text' / 'role' / 'context', unigrams (the default) against
bigrams, and `--accurate` (TextCatEnsemble.v2). The baseline is a plain spaCy bag-of-words `textcat` (exclusive, unigrams,
spaCy's default BOW settings) per task, on the turn text alone. Both see the same folds:
whole transcripts, never turns of one conversation on both sides.

Timing: the sample has only 369 turns, so training time for 5,000 turns is measured on the
sample replicated (copies with new ids) to at least 5,000 turns, and inference speed on
the same replicated turns. Replicated text is easier on the tokenizer cache than new
text, so read the speed as an upper bound.
"""
from __future__ import annotations

import argparse
import csv
import dataclasses
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from qualcode.codings import Coding  # noqa: E402
from qualcode.model import TrainOptions, cross_validate, multiclass_report, predict, train  # noqa: E402
from qualcode.model.train import split_by_transcript  # noqa: E402
from qualcode.transcripts import read_transcript  # noqa: E402

DATA = ROOT / "tests" / "data" / "annomi"
TASKS = {
    "main_therapist_behaviour": ("therapist", ("reflection", "question", "therapist_input", "other")),
    "client_talk_type": ("client", ("change", "neutral", "sustain")),
}
GOLD_CODER = "annomi-gold"


def load_annomi():
    transcripts = [read_transcript(p) for p in sorted((DATA / "transcripts").glob("*.txt"))]
    codings = []
    with open(DATA / "labels.csv", newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["label_type"] in TASKS:
                codings.append(Coding(row["transcript_id"], int(row["turn_index"]) + 1,
                                      f"{row['label_type']}/{row['label']}", GOLD_CODER))
    labels = [f"{task}/{label}" for task, (_, names) in TASKS.items() for label in names]
    roles = {f"{task}/{label}": (role,) for task, (role, names) in TASKS.items() for label in names}
    return transcripts, codings, labels, roles


def gold_by_turn(codings):
    out = {}
    for c in codings:
        task, label = c.theme.split("/", 1)
        out[(c.transcript, c.turn, task)] = label
    return out


def task_reports(pairs_by_task):
    return {task: multiclass_report(TASKS[task][1], [g for g, _ in pairs], [p for _, p in pairs])
            for task, pairs in pairs_by_task.items()}


def qualcode_cv(transcripts, codings, labels, roles, k, options):
    started = time.perf_counter()
    result = cross_validate(transcripts, codings, k=k, fully_coded={t.id for t in transcripts}, labels=labels,
                            label_roles=roles, options=options)
    seconds = time.perf_counter() - started
    gold = gold_by_turn(codings)
    pairs = {task: [] for task in TASKS}
    for p in result.predictions:
        for task, (role, names) in TASKS.items():
            truth = gold.get((p.transcript, p.turn, task))
            if truth is None:
                continue
            guess = max(names, key=lambda n: (p.probs.get(f"{task}/{n}", 0.0), -names.index(n)))
            pairs[task].append((truth, guess))
    return task_reports(pairs), seconds, result.folds


def baseline_cv(transcripts, codings, folds, epochs, seed):
    """spaCy's plain bag-of-words textcat (exclusive, unigrams, default length), turn text alone, one per task."""
    from qualcode.engine import textcat

    gold = gold_by_turn(codings)
    by_id = {t.id: t for t in transcripts}
    pairs = {task: [] for task in TASKS}
    started = time.perf_counter()
    for task, (_, names) in TASKS.items():
        for train_ids, test_ids in folds:
            def rows(ids):
                return [(turn.text, gold[(tid, turn.number, task)]) for tid in ids for turn in by_id[tid].turns
                        if (tid, turn.number, task) in gold]
            train_rows, test_rows = rows(train_ids), rows(test_ids)
            nlp = textcat.new_classifier(names, exclusive=True, ngrams=1, length=262_144)
            textcat.fit(nlp, [t for t, _ in train_rows],
                        [{n: float(n == label) for n in names} for _, label in train_rows], epochs=epochs, seed=seed)
            for (_, truth), probs in zip(test_rows, textcat.score(nlp, [t for t, _ in test_rows])):
                pairs[task].append((truth, max(names, key=lambda n: (probs[n], -names.index(n)))))
    return task_reports(pairs), time.perf_counter() - started


def replicate(transcripts, codings, min_turns):
    copies, extra, n = [], [], 0
    round_ = 0
    while n < min_turns:
        for t in transcripts:
            new_id = f"{t.id}-r{round_}"
            copies.append(dataclasses.replace(t, id=new_id))
            n += len(t.turns)
        extra += [dataclasses.replace(c, transcript=f"{c.transcript}-r{round_}") for c in codings]
        round_ += 1
    return copies, extra


def show(name, reports, seconds):
    print(f"\n### {name}  (cross-validation wall time {seconds:.1f} s)")
    for task, rep in reports.items():
        print(f"{task}: macro-F1 {rep.macro_f1:.3f}  kappa {rep.kappa:.3f}  accuracy {rep.accuracy:.3f}  (n={rep.n})")
        for s in rep.labels:
            print(f"    {s.label:<16} P {s.precision:.3f}  R {s.recall:.3f}  F1 {s.f1:.3f}  "
                  f"kappa {s.kappa:.3f}  support {s.support}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--folds", type=int, default=10, help="cross-validation folds (10 = leave one transcript out)")
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--quick", action="store_true", help="skip the context comparison and the ensemble")
    parser.add_argument("--seeds", type=int, default=1, help="repeat the cross-validation with this many seeds")
    parser.add_argument("--timing-turns", type=int, default=5000)
    parser.add_argument("--no-timing", action="store_true")
    args = parser.parse_args()

    transcripts, codings, labels, roles = load_annomi()
    words = sum(t.words for t in transcripts)
    turns = sum(len(t.turns) for t in transcripts)
    print(f"AnnoMI sample: {len(transcripts)} transcripts, {turns} turns, {words:,} words, {len(codings)} gold labels")
    print(f"{args.folds}-fold cross-validation by transcript, {args.epochs} epochs, seed {args.seed}, "
          f"{os.cpu_count()} CPU(s)")

    options = TrainOptions(seed=args.seed, epochs=args.epochs)
    seeds = list(range(args.seed, args.seed + args.seeds))
    contexts = ["role"] if args.quick else ["text", "role", "context"]
    configs = [("baseline BOW, text", "baseline", None)]
    configs += [(f"qualcode '{c}'", "qualcode", dataclasses.replace(options, context=c)) for c in contexts]
    if not args.quick:
        configs.append(("qualcode 'role', bigrams", "qualcode", dataclasses.replace(options, ngrams=2)))
    if not args.quick:
        configs.append(("qualcode --accurate 'role'", "qualcode", dataclasses.replace(options, accurate=True)))
        configs.append(("qualcode --accurate 'context'", "qualcode",
                        dataclasses.replace(options, accurate=True, context="context")))
    summary = []
    for name, kind, opts in configs:
        runs = []
        for seed in seeds:
            if kind == "baseline":
                folds = split_by_transcript([t.id for t in transcripts], args.folds, seed=seed)
                reports, seconds = baseline_cv(transcripts, codings, folds, args.epochs, seed)
                title = "baseline: spaCy textcat BOW (exclusive, unigrams, length 262,144), turn text alone"
            else:
                reports, seconds, _ = qualcode_cv(transcripts, codings, labels, roles, args.folds,
                                                  dataclasses.replace(opts, seed=seed))
                kind_ = "TextCatEnsemble.v2" if opts.accurate else f"BOW {opts.ngrams}-grams, 65,536 rows"
                title = (f"qualcode model ({kind_}, "
                         f"multi-label + argmax), features '{opts.context}'")
            show(f"{title}, seed {seed}", reports, seconds)
            runs.append(reports)
        summary.append((name, runs))

    print(f"\n### summary: macro-F1 and kappa per task, mean over seeds {seeds} (min-max of macro-F1)")
    print(f"{'model':<30} " + "  ".join(f"{task:>44}" for task in TASKS))
    for name, runs in summary:
        cells = []
        for task in TASKS:
            f1s = [r[task].macro_f1 for r in runs]
            kappas = [r[task].kappa for r in runs]
            cells.append(f"F1 {sum(f1s) / len(f1s):.3f} ({min(f1s):.2f}-{max(f1s):.2f}) "
                         f"kappa {sum(kappas) / len(kappas):.3f}")
        print(f"{name:<30} " + "  ".join(f"{c:>44}" for c in cells))
    print("reference (issue 8): humans kappa 0.74 / 0.47; transformers macro-F1 0.72 / 0.55; plain BOW on the "
          "full AnnoMI 0.65 / 0.47")

    if args.no_timing:
        return
    big, big_codings = replicate(transcripts, codings, args.timing_turns)
    big_turns = sum(len(t.turns) for t in big)
    big_words = sum(t.words for t in big)
    print(f"\n### timing on the sample replicated to {big_turns:,} turns ({big_words:,} words)")
    for accurate in (False, True):
        if accurate and args.quick:
            continue
        opts = dataclasses.replace(options, accurate=accurate)
        started = time.perf_counter()
        result = train(big, big_codings, fully_coded={t.id for t in big}, labels=labels, label_roles=roles,
                       options=opts)
        train_s = time.perf_counter() - started
        started = time.perf_counter()
        n = sum(len(predict(t, result.model, min_score=0.0)) for t in big)
        infer_s = time.perf_counter() - started
        kind = "--accurate (ensemble)" if accurate else "default (BOW)"
        print(f"{kind}: train {train_s:.1f} s for {args.epochs} epochs x 2 (held-out run + final run); "
              f"inference {big_words / infer_s:,.0f} words/s ({n:,} scores)")


if __name__ == "__main__":
    main()
