#!/usr/bin/env bash
# The grade job of grade.yml (no token, no credentials): grade the collected step files with
# the base branch's grader. The tests run in a trusted process on the runner; the student's
# step functions run only inside the sandbox (Docker on GitHub's runners). Nothing of the pull
# request is installed or run on the runner itself: its step files are data for the grader.
#
#   grade.sh install   install the base branch's course (CPU torch first)
#   grade.sh image     build the Docker sandbox's image from the base branch's course
#   grade.sh [grade]   grade SUBMISSION_DIR into RESULT_DIR
#
# Environment (defaults in brackets):
#   COURSE_DIR      the base branch's course, unpacked from course.tar [course]
#   SUBMISSION_DIR  the collected step files (SUBMISSION_DIR/exercises/*.py) [submission]
#   RESULT_DIR      where the grader writes gradebook.json, gradebook.csv, summary.md [result]
#   GRADE_SANDBOX   bwrap, docker or auto [docker]; the grader refuses to run without one
#   GRADE_STEPS     the steps to grade, e.g. 1,3 [1,2,3,4]
#   GRADE_JOBS      step processes at a time [2]
#   DOCKER_IMAGE    the Docker sandbox's image [ner-course-grader]
#   PYTHON          the Python that has the course installed [python]
set -euo pipefail

course=${COURSE_DIR:-course}
submission=${SUBMISSION_DIR:-submission}
result=${RESULT_DIR:-result}
sandbox=${GRADE_SANDBOX:-docker}
steps=${GRADE_STEPS:-1,2,3,4}
jobs=${GRADE_JOBS:-2}
image=${DOCKER_IMAGE:-ner-course-grader}
python=${PYTHON:-python}

course=$(realpath -e -- "$course")
if [ ! -f "$course/solutions/tools/classroom/__main__.py" ]; then
  echo "::error::$course holds no course (solutions/tools/classroom is missing)" >&2
  exit 1
fi

# The grader of the base branch's course, whatever else is installed: run it from its folder.
classroom() {
  (cd "$course" && "$python" -m solutions.tools.classroom "$@")
}

install_course() {
  "$python" -m pip install torch --index-url https://download.pytorch.org/whl/cpu
  "$python" -m pip install -e "${course}[dev]"
}

build_image() {
  classroom image --tag "$image"
}

grade() {
  case "$sandbox" in
    bwrap | docker | auto) ;;
    *) echo "::error::GRADE_SANDBOX must be bwrap, docker or auto, not '$sandbox'" >&2; exit 1 ;;
  esac
  submission=$(realpath -e -- "$submission")
  result=$(realpath -m -- "$result")
  case "$result" in
    / | "$course" | "$course"/* | "$submission" | "$submission"/*)
      echo "::error::RESULT_DIR must be a folder of its own, not $result" >&2
      exit 1
      ;;
  esac
  # A gradebook left from before must never pass for this run's: only the grader writes
  # RESULT_DIR, once every sandbox is gone (it creates the folder itself).
  rm -rf -- "$result"
  status=0
  classroom grade "$submission" --template "$course" \
    --out "$result/gradebook.csv" --summary "$result/summary.md" --json "$result/gradebook.json" \
    --jobs "$jobs" --steps "$steps" --sandbox "$sandbox" --docker-image "$image" || status=$?
  if [ "$status" -ne 0 ]; then
    echo "::error::the grader failed (exit code $status): no grade for this pull request" >&2
    exit "$status"
  fi
  if ! "$python" -c 'import json, sys; json.load(open(sys.argv[1], encoding="utf-8"))' \
    "$result/gradebook.json"; then
    echo "::error::the grader wrote no readable $result/gradebook.json" >&2
    exit 1
  fi
}

case "${1:-grade}" in
  install) install_course ;;
  image) build_image ;;
  grade) grade ;;
  *) echo "usage: grade.sh [install|image|grade]" >&2; exit 2 ;;
esac
