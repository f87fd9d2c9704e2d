"""Train the entity tagger (transforms/text/tagger.py) on ANERcorp's training part.

Usage:
    python -m benchmarks.train_tagger CORPUS [--output transforms/text/data/tagger.tsv]
        [--c1 0.05] [--c2 0.05] [--iterations 150] [--dev-share 0.1] [--json FILE] [--check]

CORPUS is ANERcorp's training file (``token TAG`` a line, benchmarks/anercorp.py
reads it); it is never copied into the repository. The last ``--dev-share``
of its sentences are held out as the development part: the model is trained
on the rest with CRFsuite (python-crfsuite: L-BFGS, L1 ``--c1`` and L2
``--c2`` regularization, all label transitions), written in khabar's weights
format (``--output``), loaded back with khabar's own Tagger and scored on the
development part (span-level P/R/F1 by type, micro over PER, ORG, LOC,
printed as JSON). ``--check`` also tags the development part with CRFsuite
itself and counts the words whose labels differ from khabar's decoder (0
expected). python-crfsuite is needed here only, not to tag.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

from khabar.transforms.text.tagger import MODEL, Tagger, write_model
from khabar.transforms.text.tagger_features import LABELS, sequence_features

from benchmarks import anercorp


def train(
    corpus: Path,
    output: Path,
    c1: float = 0.05,
    c2: float = 0.05,
    iterations: int = 150,
    dev_share: float = 0.1,
    check: bool = False,
    command: str = "",
) -> dict:
    import numpy as np
    import pycrfsuite

    started = time.perf_counter()
    training, development = anercorp.split(anercorp.sentences(anercorp.read(corpus)), dev_share)
    trainer = pycrfsuite.Trainer(verbose=False)
    words = 0
    for doc in anercorp.documents(training):
        features, runs = sequence_features(doc.text, doc.words, doc.starts, doc.ends)
        for first, last in runs:
            trainer.append(features[first : last + 1], doc.labels[first : last + 1])
        words += len(doc.words)
    trainer.set_params({"c1": c1, "c2": c2, "max_iterations": iterations, "feature.possible_transitions": True})
    with tempfile.TemporaryDirectory(prefix="khabar-tagger-") as tmp:
        crf_path = str(Path(tmp) / "model.crfsuite")
        trainer.train(crf_path)
        reference = pycrfsuite.Tagger()
        reference.open(crf_path)
        info = reference.info()
        labels = [label for label in LABELS if label in set(reference.labels())]
        index = {label: k for k, label in enumerate(labels)}
        transitions = np.zeros((len(labels), len(labels)))
        for (first, second), weight in info.transitions.items():
            transitions[index[first], index[second]] = weight
        attributes: dict[str, int] = {}
        rows: list[list[float]] = []
        for (attribute, label), weight in info.state_features.items():
            k = attributes.setdefault(attribute, len(rows))
            if k == len(rows):
                rows.append([0.0] * len(labels))
            rows[k][index[label]] = weight
        header = (
            "khabar entity tagger: linear-chain CRF weights (transforms/text/tagger.py reads them).\n"
            "Trained on ANERcorp (Benajiba, Rosso and Benedí 2007; CC BY-SA 4.0, as redistributed by CAMeL Lab):\n"
            "provenance, licence and scores in tagger.md next to this file.\n"
            f"Training: {command or 'python -m benchmarks.train_tagger CORPUS'}"
        )
        output.parent.mkdir(parents=True, exist_ok=True)
        write_model(output, labels, transitions, attributes, np.array(rows) if rows else np.zeros((0, len(labels))), header)
        tagger = Tagger(output)
        dev_docs = anercorp.documents(development)
        pairs = []
        differing = 0
        for doc in dev_docs:
            predicted = tagger.label(doc.text, doc.words, doc.starts, doc.ends)
            pairs.append((anercorp.spans_of(doc.labels), anercorp.spans_of(predicted)))
            if check:
                features, runs = sequence_features(doc.text, doc.words, doc.starts, doc.ends)
                for first, last in runs:
                    theirs = reference.tag(features[first : last + 1])
                    differing += sum(a != b for a, b in zip(theirs, predicted[first : last + 1], strict=True))
        reference.close()
    report = {
        "training_sentences": len(training),
        "training_words": words,
        "development_sentences": len(development),
        "development_words": sum(len(d.words) for d in dev_docs),
        "params": {"c1": c1, "c2": c2, "iterations": iterations},
        "attributes": len(attributes),
        "development": anercorp.score(pairs),
        "seconds": round(time.perf_counter() - started, 1),
    }
    if check:
        report["labels_differing_from_crfsuite"] = differing
    return report


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("corpus", type=Path, help="ANERcorp's training file (token TAG a line)")
    parser.add_argument("--output", type=Path, default=MODEL)
    parser.add_argument("--c1", type=float, default=0.05)
    parser.add_argument("--c2", type=float, default=0.05)
    parser.add_argument("--iterations", type=int, default=150)
    parser.add_argument("--dev-share", type=float, default=0.1)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--check", action="store_true", help="compare with CRFsuite's own tagger on the development part")
    args = parser.parse_args(argv)
    command = "python -m benchmarks.train_tagger CORPUS " + " ".join(
        f"--{k} {v}" for k, v in (("c1", args.c1), ("c2", args.c2), ("iterations", args.iterations), ("dev-share", args.dev_share))
    )
    report = train(args.corpus, args.output, args.c1, args.c2, args.iterations, args.dev_share, args.check, command)
    text = json.dumps(report, indent=2)
    print(text)
    if args.json:
        args.json.write_text(text + "\n", encoding="utf-8")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
