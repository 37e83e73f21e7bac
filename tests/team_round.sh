#!/usr/bin/env bash
# A team's round from the shell, as docs/teams.md ("Working as a team") walks it:
# import, split to three annotators, their decisions (simulated, with planted
# disagreements), merge, agreement, review by rule, a second batch to the same people,
# training from the reviewed labels, and the trained model on articles it never saw.
#
#   tests/team_round.sh WORKDIR        (annotator on PATH; PYTHON: python for the articles)
#
# Only `annotator` commands and standard tools; Python only writes the articles and
# reads JSON (it imports nothing of Annotator). tests/test_team_round.py runs it and
# checks the files it leaves in WORKDIR against numbers computed by hand.
set -euo pipefail

WORK=${1:?usage: team_round.sh WORKDIR}
HERE=$(cd "$(dirname "$0")" && pwd)
PY=${PYTHON:-python3}
mkdir -p "$WORK"
cd "$WORK"
step() { printf '\n== %s\n' "$*"; }

step "articles: 60 for round 1, 30 for round 2, 30 never trained on"
"$PY" "$HERE/team_round/articles.py" data

step "the lead's project: import, a label no model knows, suggestions"
annotator import data/round1.jsonl --db news.db
annotator labels add VESSEL --layer entity --description "A ship's name" --db news.db
annotator suggest --db news.db

step "split to three annotators; half the documents go to two of them"
annotator split news.db --annotators alice,bob,carol --overlap 0.5 --out round1

# Each annotator works in their own file. Here the truth file (data/truth.jsonl: an
# "add" for each planted entity, "mark done" for each article) stands for a careful
# person; the lines of the documents in their file are those whose key their export
# lists. Decisions are logged as the file's annotator (its meta), with no --annotator.
their_lines() {  # their_lines FILE.db: the truth lines of the documents in FILE.db
  annotator export --db "$1" --status any --no-tokens --out "$1.docs.jsonl" --force >/dev/null
  grep -o '"key": *"art-[0-9]*"' "$1.docs.jsonl" | sed 's/: */: /' \
    | grep -F -f - data/truth.jsonl
}
annotate() {  # annotate FOLDER: alice, bob and carol decide in FOLDER/NAME.db
  local dir=$1
  # alice: the truth; the suggestions left over are wrong
  their_lines "$dir/alice.db" > "$dir/alice.decisions.jsonl"
  annotator decide "$dir/alice.decisions.jsonl" --db "$dir/alice.db"
  annotator reject --db "$dir/alice.db"
  # bob does not count money as an entity: he rejects MONEY
  annotator reject --label MONEY --db "$dir/bob.db"
  their_lines "$dir/bob.db" | grep -v '"label": "MONEY"' > "$dir/bob.decisions.jsonl"
  annotator decide "$dir/bob.decisions.jsonl" --db "$dir/bob.db"
  annotator reject --db "$dir/bob.db"
  # carol calls countries and cities LOC, not GPE
  their_lines "$dir/carol.db" > "$dir/carol.decisions.jsonl"
  annotator decide "$dir/carol.decisions.jsonl" --db "$dir/carol.db"
  annotator reject --db "$dir/carol.db"
  annotator relabel --label GPE --to LOC --db "$dir/carol.db"
  for name in alice bob carol; do  # who got which documents, for the test's sums
    annotator list --json --db "$dir/$name.db" > "$dir/$name.list.jsonl"
  done
}

step "round 1: the annotators decide"
annotate round1

step "merge, agreement"
annotator merge round1/alice.db round1/bob.db round1/carol.db --into team.db
annotator agreement team.db
annotator agreement team.db --json > agreement1.json

step "review: the majority where it settles, the conflicts it leaves"
annotator review team.db --majority --annotator lead
annotator review team.db --conflicts --json > conflicts1.json
annotator review team.db --conflicts
# The lead settles the rest by taking one annotator's version of each document left:
# alice's where she did it, then bob's, then carol's (each takes only the documents
# nobody reviewed yet).
annotator review team.db --take alice --annotator lead
annotator review team.db --take bob --annotator lead
annotator review team.db --take carol --annotator lead
annotator stats --db team.db

step "round 2: new articles, dealt to the same people, uncertain first"
annotator import data/round2.jsonl --db team.db
annotator suggest --db team.db
annotator assign team.db --annotators alice,bob,carol --overlap 0.5 --order uncertain \
  --out round2
annotate round2
annotator merge round2/alice.db round2/bob.db round2/carol.db --into team.db
annotator merge round2/alice.db round2/bob.db round2/carol.db --into team.db > merge_again.txt
cat merge_again.txt
annotator agreement team.db --json > agreement2.json
annotator review team.db --majority --annotator lead
annotator review team.db --take alice --annotator lead
annotator review team.db --take bob --annotator lead
annotator review team.db --take carol --annotator lead

step "train from the reviewed labels; evaluate on them"
annotator train --set gold --layer entity --max-epochs "${EPOCHS:-6}" --name team --db team.db
MODEL=$(ls -d team.db.models/team-* | tail -n 1)
annotator evaluate --set gold --model "$MODEL" --layer entity --db team.db

step "the trained model on 30 articles it never saw"
annotator import data/unseen.jsonl --db unseen.db
annotator labels add VESSEL --layer entity --description "A ship's name" --db unseen.db
annotator suggest --model "$MODEL" --db unseen.db
annotator evaluate --gold data/unseen_gold.jsonl --model "$MODEL" --layer entity --json \
  > unseen_eval.json
"$PY" -c '
import json
row = next(r for r in json.load(open("unseen_eval.json"))["labels"] if r["label"] == "VESSEL")
e = row["exact"]
print("VESSEL on unseen articles: P %.3f R %.3f (%d of %d found, %d suggested)"
      % (e["precision"], e["recall"], e["gold_matched"], e["gold"], e["predicted"]))
'
annotator stats --db unseen.db
