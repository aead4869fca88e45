#!/usr/bin/env bash
# The comment job of grade.yml: write the pull request's comment from the grade job's result
# and the collect job's list of changed files, and decide the check.
#
# Environment (defaults in brackets):
#   RESULT_DIR           the grade job's result: gradebook.json, summary.md [result]
#   CHANGES_FILE         the collect job's list: one JSON string a line
#                        [changes/changed-files.jsonl]
#   COMMENT_FILE         the comment to write (Markdown) [comment.md]
#   GITHUB_OUTPUT        step outputs: graded, outside_count, flagged, points, max_points,
#                        outside (the changed files outside the step files, one JSON string
#                        a line) [/dev/null]
#   GITHUB_STEP_SUMMARY  the job summary; the comment is added to it [/dev/null]
#
# Exit status 1 (the check fails) when the gradebook is missing or unreadable, when it was
# graded without a sandbox, when the list of changed files is unreadable, or when the pull
# request changes any file but the four step files. The grader's flags are advice for the
# instructor: the comment shows them, they never fail the check. The comment is written in
# every case, so the workflow can post it before the check fails.
set -euo pipefail

result=${RESULT_DIR:-result}
changes=${CHANGES_FILE:-changes/changed-files.jsonl}
comment=${COMMENT_FILE:-comment.md}
output=${GITHUB_OUTPUT:-/dev/null}
job_summary=${GITHUB_STEP_SUMMARY:-/dev/null}
gradebook="$result/gradebook.json"
shown_max=30 # changed files listed in the comment; the rest are counted
mkdir -p -- "$(dirname -- "$comment")"

# A file name shown in the comment: HTML <code> holding only ASCII letters and digits as they
# are and every other character as a numeric entity, so no backtick, |, <, [, newline or
# other markup of a name is ever read as Markdown or HTML. Invisible characters (controls,
# bidirectional overrides) are shown as \uXXXX; a long name is cut.
escape_defs='
  def alnum: (. >= 48 and . <= 57) or (. >= 65 and . <= 90) or (. >= 97 and . <= 122);
  def invisible: . < 32 or (. >= 127 and . < 160) or . == 173 or (. >= 8203 and . <= 8207)
    or (. >= 8232 and . <= 8238) or (. >= 8288 and . <= 8303) or . == 65279;
  def hex4: [(. / 4096 | floor) % 16, (. / 256 | floor) % 16, (. / 16 | floor) % 16, . % 16]
    | map("0123456789abcdef"[.:. + 1]) | join("");
  def visible: explode | map(if invisible then "\\u" + hex4 else [.] | implode end) | join("");
  def entities: explode | map(if alnum then [.] | implode else "&#\(.);" end) | join("");
  def cut: if length > 120 then .[:120] + "…" else . end;
  def listed: "> - <code>" + (cut | visible | entities) + "</code>";'

# The changed files outside the four step files, one JSON string a line.
# shellcheck disable=SC2016
outside_filter='
  if type == "string" then . else error("not a file name") end
  | select(. as $name | any($steps[]; . == $name) | not)'
steps_json='["exercises/preprocessing.py", "exercises/alignment.py",
  "exercises/training_config.py", "exercises/metrics.py"]'

failures=()
outside=""
outside_count=0
if [ ! -r "$changes" ]; then
  failures+=("the list of changed files ($changes) is missing")
  changes_read=false
elif ! outside=$(jq -c --argjson steps "$steps_json" "$outside_filter" "$changes"); then
  failures+=("the list of changed files ($changes) is unreadable")
  outside=""
  changes_read=false
else
  changes_read=true
  if [ -n "$outside" ]; then
    outside_count=$(($(printf '%s\n' "$outside" | wc -l)))
    failures+=("the pull request changes $outside_count file(s) besides the four step files")
  fi
fi

# The gradebook of one submission, as the grade job's trusted grader wrote it.
# shellcheck disable=SC2016
gradebook_filter='
  if (.students | type) == "array" and (.students | length) == 1
    and (.sandbox | type) == "string" and .sandbox != ""
    and (.students[0].points | type) == "number" and (.max_points | type) == "number"
  then [.sandbox, .students[0].points, .max_points, ([.students[].flags | length] | add)]
    | @tsv
  else error("not the gradebook of one submission") end'
graded=false
if [ ! -r "$gradebook" ]; then
  failures+=("no gradebook: the grade job wrote no $gradebook")
elif ! info=$(jq -r "$gradebook_filter" "$gradebook"); then
  failures+=("the gradebook $gradebook is unreadable")
else
  IFS=$'\t' read -r sandbox points max_points flagged <<< "$info"
  case "$sandbox" in
    none*) failures+=("the steps were graded without a sandbox") ;;
    *) graded=true ;;
  esac
fi

{
  echo "<!-- ner-course-grade -->"
  if [ "$changes_read" = false ]; then
    echo "> [!CAUTION]"
    echo "> The list of the files this pull request changes could not be read, so this check"
    echo "> fails. See the log of the comment job."
    echo
  elif [ "$outside_count" -gt 0 ]; then
    echo "> [!WARNING]"
    echo "> Only the four step files in exercises/ may change: this pull request also changes"
    echo "> the $outside_count file(s) below, so this check fails. Undo those changes."
    echo ">"
    # shellcheck disable=SC2016 # $max is jq's
    printf '%s\n' "$outside" | jq -rn --argjson max "$shown_max" "$escape_defs"' limit($max; inputs) | listed'
    if [ "$outside_count" -gt "$shown_max" ]; then
      echo "> - and $((outside_count - shown_max)) more"
    fi
    echo
  fi
  if [ "$graded" = true ]; then
    if [ -r "$result/summary.md" ]; then
      cat -- "$result/summary.md"
    else
      echo "Points: $points/$max_points"
    fi
    if [ "$flagged" -gt 0 ]; then
      echo
      echo "The $flagged flag(s) above are advice for the instructor; they do not fail this check."
    fi
  else
    echo "**No grade.** The grader wrote no usable gradebook, so this check fails: see the log"
    echo "of the grade job."
  fi
} > "$comment"
cat -- "$comment" >> "$job_summary"

# Multi-line outputs end at a random delimiter that no value can contain.
delimiter="ghadelimiter_$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
if [ "${#delimiter}" -ne 45 ] || [[ "$outside" == *"$delimiter"* ]]; then
  echo "::error::could not make a delimiter for the step outputs" >&2
  exit 1
fi
{
  echo "graded=$graded"
  echo "outside_count=$outside_count"
  if [ "$graded" = true ]; then
    echo "flagged=$flagged"
    echo "points=$points"
    echo "max_points=$max_points"
  else
    echo "flagged=unknown"
  fi
  echo "outside<<$delimiter"
  if [ -n "$outside" ]; then printf '%s\n' "$outside"; fi
  echo "$delimiter"
} >> "$output"

if [ "${#failures[@]}" -gt 0 ]; then
  for failure in "${failures[@]}"; do echo "::error::$failure" >&2; done
  exit 1
fi
echo "graded: $points/$max_points; flags (advice only): $flagged"
