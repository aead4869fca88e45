#!/usr/bin/env bash
# The collect job of grade.yml: copy the pull request's four step files and list the files it
# changes, as data only (nothing of the pull request is run here), and pack the base branch's
# course for the grade job.
#
# Environment (defaults in brackets):
#   GITHUB_REPOSITORY  owner/name of the repository (required)
#   PR_NUMBER          the pull request's number (required)
#   GH_TOKEN           a token that can read the pull request (for `gh api`)
#   PR_DIR             the pull request's checkout, read as data [pull-request]
#   COURSE_DIR         the base branch's git checkout: the grader and its tests [course]
#   OUT_DIR            where to write submission/, changes/ and course.tar [.]
#
# Writes OUT_DIR/submission/exercises/<step>.py (only plain files inside PR_DIR/exercises/),
# OUT_DIR/changes/changed-files.jsonl (every changed path, and the old path of a renamed
# file, one JSON string a line, so no file name can span lines) and OUT_DIR/course.tar.
set -euo pipefail

: "${GITHUB_REPOSITORY:?GITHUB_REPOSITORY is not set}"
: "${PR_NUMBER:?PR_NUMBER is not set}"
pr_dir=${PR_DIR:-pull-request}
course_dir=${COURSE_DIR:-course}
out=${OUT_DIR:-.}

case "$PR_NUMBER" in
  '' | *[!0-9]*) echo "::error::PR_NUMBER is not a number: $PR_NUMBER" >&2; exit 1 ;;
esac

rm -rf -- "$out/submission" "$out/changes" "$out/course.tar"
mkdir -p -- "$out/submission/exercises" "$out/changes"

# A step file is copied only if it is a plain file that really lies in the pull request's
# exercises/ folder: no symbolic link (of the file or of a folder above it) is followed out.
pr_real=$(realpath -e -- "$pr_dir")
for name in preprocessing alignment training_config metrics; do
  file="$pr_dir/exercises/$name.py"
  if [ ! -e "$file" ] || [ -L "$file" ] || [ ! -f "$file" ]; then
    echo "exercises/$name.py: missing or not a plain file, not copied (the grader scores it 0)"
    continue
  fi
  if [ "$(realpath -e -- "$file")" != "$pr_real/exercises/$name.py" ]; then
    echo "exercises/$name.py: reached through a symbolic link, not copied"
    continue
  fi
  cp -- "$file" "$out/submission/exercises/$name.py"
done

# --paginate runs the --jq filter on every page; @json keeps each name on one line.
gh api "repos/$GITHUB_REPOSITORY/pulls/$PR_NUMBER/files" --paginate \
  --jq '.[] | .filename, (.previous_filename // empty) | @json' \
  > "$out/changes/changed-files.jsonl"

git -C "$course_dir" archive --format=tar --prefix=course/ HEAD > "$out/course.tar"

echo "step files copied: $(find "$out/submission/exercises" -type f | wc -l)," \
  "changed files listed: $(wc -l < "$out/changes/changed-files.jsonl")"
